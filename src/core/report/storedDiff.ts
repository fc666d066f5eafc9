/** The run diff of two stored runs, with the operational metrics of their stored traces: what `costar diff` and the editor show. */
import { computeTraceMetrics, type TraceMetrics } from '../judges/metrics';
import type { RunReport } from '../run/protocol';
import { TraceStore } from '../trace/store';
import { diffRuns, type RunDiff } from './diff';

export async function diffStoredRuns(workspaceDir: string, a: RunReport, b: RunReport): Promise<RunDiff> {
  const store = new TraceStore(workspaceDir);
  const metrics = new Map<string, TraceMetrics>();
  for (const traceId of [...a.scenarios, ...b.scenarios].map((s) => s.traceId)) {
    if (!traceId || metrics.has(traceId)) continue;
    // A trace deleted (or unreadable) since just has no metrics: the outcome diff still stands.
    const trace = await store.get(traceId).catch(() => undefined);
    if (trace) metrics.set(traceId, computeTraceMetrics(trace));
  }
  return diffRuns(a, b, { metricsOf: (id) => metrics.get(id) });
}
