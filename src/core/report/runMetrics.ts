/** Operational metrics of the stored traces that run reports name (for diffs and comparisons). */
import { computeTraceMetrics, type TraceMetrics } from '../judges/metrics';
import type { RunReport } from '../run/protocol';
import type { TraceStore } from '../trace/store';

/** Metrics of every stored trace the reports name; a missing or unreadable trace just has none. */
export async function loadRunMetrics(store: TraceStore, reports: readonly RunReport[]): Promise<Map<string, TraceMetrics>> {
  const metrics = new Map<string, TraceMetrics>();
  for (const report of reports) {
    for (const scenario of report.scenarios) {
      if (!scenario.traceId || metrics.has(scenario.traceId)) continue;
      const trace = await store.get(scenario.traceId).catch(() => undefined);
      if (trace) metrics.set(scenario.traceId, computeTraceMetrics(trace));
    }
  }
  return metrics;
}
