/**
 * What the viewer derives from a trace and its verdicts: verdicts mapped onto tree rows, the
 * root-cause pointer and the metrics header. Pure functions; no `vscode` import.
 */
import type { OutlineTotals } from '../../core/trace/outline';
import type { Verdict } from '../../core/judges/types';
import { SPAN_STATUS as STATUS, type TraceInfo } from '../../core/trace/model';
import type { Metrics, RootCause, ViewerVerdict } from '../../shared/traceViewerProtocol';
import type { SkeletonRows } from '../../shared/skeletonColumns';

export function toViewerVerdicts(verdicts: readonly Verdict[], rowOf: ReadonlyMap<string, number>): ViewerVerdict[] {
  return verdicts.map((v) => ({
    judge: v.judge,
    name: v.name,
    outcome: v.outcome,
    value: v.value,
    rationale: v.rationale,
    source: v.source,
    ...(v.error !== undefined ? { error: v.error } : {}),
    // Cited ids that are not in this trace (a judge's typo, a trimmed trace) are dropped here;
    // the verdict itself is still listed.
    rows: v.spanIds.map((id) => rowOf.get(id)).filter((r): r is number => r !== undefined),
    cost: { ...v.cost },
  }));
}

/**
 * Points at the span where things first went wrong.
 *
 * Errors propagate upwards (a failing tool call makes its agent step fail, which fails the
 * run), so the interesting span is an erroring span none of whose descendants errors — and of
 * those, the one that started first. When no span errors, the earliest span cited by a failing
 * (or erroring) judge is the best pointer there is.
 */
export function findRootCause(skeleton: Pick<SkeletonRows, 'parents' | 'status' | 'startMs'>, verdicts: readonly ViewerVerdict[]): RootCause | null {
  const n = skeleton.parents.length;
  const hasErrorBelow = new Uint8Array(n);
  for (let row = n - 1; row >= 0; row--) {
    const parent = skeleton.parents[row]!;
    if (parent >= 0 && (hasErrorBelow[row] || skeleton.status[row] === STATUS.ERROR)) hasErrorBelow[parent] = 1;
  }
  let best = -1;
  for (let row = 0; row < n; row++) {
    if (skeleton.status[row] !== STATUS.ERROR || hasErrorBelow[row]) continue;
    if (best < 0 || skeleton.startMs[row]! < skeleton.startMs[best]!) best = row;
  }
  if (best >= 0) return { row: best, reason: 'earliest erroring span with no erroring span below it' };

  let cited = -1;
  let judge = '';
  for (const v of verdicts) {
    if (v.outcome !== 'failed' && v.outcome !== 'error') continue;
    for (const row of v.rows) {
      if (cited < 0 || skeleton.startMs[row]! < skeleton.startMs[cited]!) {
        cited = row;
        judge = v.name;
      }
    }
  }
  return cited >= 0 ? { row: cited, reason: `earliest span cited by failing judge "${judge}"` } : null;
}

/** The metrics header of a trace, from its outline's totals. */
export function outlineMetrics(info: TraceInfo, totals: OutlineTotals): Metrics {
  const { extentMs, ...counts } = totals;
  // The recorded execution time wins; the span extent is the fallback for imported traces without it.
  return { ...counts, latencyMs: info.executionDurationMs > 0 ? info.executionDurationMs : extentMs };
}
