/**
 * The text of "Compare with last green run": `costar diff` with no arguments — the newest run
 * against the newest all-green run before it — rendered exactly as the CLI prints it, so the
 * editor and a CI log read the same. No `vscode` here.
 */
import { computeTraceMetrics, type TraceMetrics } from '../../core/judges/metrics';
import { diffRuns } from '../../core/report/diff';
import { renderDiffText } from '../../core/report/diffText';
import { selectRunsToDiff } from '../../core/report/selectRuns';
import { TraceStore } from '../../core/trace/store';
import { diffLinks, type DiffLink } from './diffLinks';

export interface LastGreenDiff {
  runA: string;
  runB: string;
  text: string;
  /** Where the text links to scenario files and traces. */
  links: DiffLink[];
}

/** Throws RunSelectionError (with what to do) when there is no run, or no green run to compare with. */
export async function lastGreenDiff(workspaceDir: string): Promise<LastGreenDiff> {
  const { a, b } = await selectRunsToDiff(workspaceDir);
  const store = new TraceStore(workspaceDir);
  const metrics = new Map<string, TraceMetrics>();
  for (const traceId of [...a.scenarios, ...b.scenarios].map((s) => s.traceId)) {
    if (!traceId || metrics.has(traceId)) continue;
    // A trace deleted since just has no metrics: the outcome diff still stands.
    const trace = await store.get(traceId).catch(() => undefined);
    if (trace) metrics.set(traceId, computeTraceMetrics(trace));
  }
  const diff = diffRuns(a, b, { metricsOf: (id) => metrics.get(id) });
  const text = renderDiffText(diff);
  return { runA: a.runId, runB: b.runId, text, links: diffLinks(text, diff, a, b, workspaceDir) };
}
