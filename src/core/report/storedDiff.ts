/** The run diff of two stored runs, with the operational metrics of their stored traces: what `costar diff` and the editor show. */
import type { RunReport } from '../run/protocol';
import { TraceStore } from '../trace/store';
import { diffRuns, type RunDiff } from './diff';
import { loadRunMetrics } from './runMetrics';

export async function diffStoredRuns(workspaceDir: string, a: RunReport, b: RunReport): Promise<RunDiff> {
  const metrics = await loadRunMetrics(new TraceStore(workspaceDir), [a, b]);
  return diffRuns(a, b, { metricsOf: (id) => metrics.get(id) });
}
