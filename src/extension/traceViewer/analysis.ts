/**
 * What the viewer derives from a trace and its verdicts: verdicts mapped onto tree rows, the
 * root-cause pointer and the metrics header. Pure functions; no `vscode` import.
 */
import type { Trace } from '../../core/trace/model';
import type { Verdict } from '../../core/judges/types';
import { STATUS, type Metrics, type RootCause, type Skeleton, type ViewerVerdict } from '../../shared/traceViewerProtocol';

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
export function findRootCause(skeleton: Skeleton, verdicts: readonly ViewerVerdict[]): RootCause | null {
  const n = skeleton.ids.length;
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

const MODEL_TYPES = new Set(['LLM', 'CHAT_MODEL']);

export function traceMetrics(trace: Trace): Metrics {
  const m: Metrics = {
    spans: trace.spans.length, errors: 0, totalTokens: 0, inputTokens: 0, outputTokens: 0,
    modelCalls: 0, toolCalls: 0, toolFailures: 0, latencyMs: 0,
  };
  let first: bigint | undefined;
  let last: bigint | undefined;
  for (const span of trace.spans) {
    const failed = span.status.code === 'ERROR';
    if (failed) m.errors++;
    if (MODEL_TYPES.has(span.spanType)) m.modelCalls++;
    if (span.spanType === 'TOOL') {
      m.toolCalls++;
      if (failed) m.toolFailures++;
    }
    if (span.tokens) {
      m.inputTokens += span.tokens.input;
      m.outputTokens += span.tokens.output;
      m.totalTokens += span.tokens.total;
    }
    const start = BigInt(span.startTimeUnixNano);
    const end = BigInt(span.endTimeUnixNano);
    if (first === undefined || start < first) first = start;
    if (last === undefined || end > last) last = end;
  }
  // The recorded execution time wins; the span extent is the fallback for imported traces without it.
  m.latencyMs = trace.info.executionDurationMs > 0 ? trace.info.executionDurationMs
    : first !== undefined && last !== undefined ? Number(last - first) / 1e6 : 0;
  return m;
}
