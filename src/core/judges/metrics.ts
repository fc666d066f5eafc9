/**
 * Operational metrics of a trace: tokens, tool calls and failures, latency, model calls.
 * They don't gate a scenario; a run compares them with the previous run of the same scenario
 * and flags changes of ×2 or more either way.
 */
import { rootSpans, spanDurationMs, type Span, type Trace } from '../trace/model';

export interface TraceMetrics {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  toolCalls: number;
  toolErrors: number;
  /** toolErrors / toolCalls, 0 without tool calls. */
  toolFailureRatio: number;
  latencyMs: number;
  modelCalls: number;
}

export const METRIC_NAMES = [
  'inputTokens',
  'outputTokens',
  'totalTokens',
  'toolCalls',
  'toolErrors',
  'toolFailureRatio',
  'latencyMs',
  'modelCalls',
] as const satisfies readonly (keyof TraceMetrics)[];

export type MetricName = (typeof METRIC_NAMES)[number];

const MODEL_SPAN_TYPES = new Set(['LLM', 'CHAT_MODEL']);

export function isToolSpan(span: Span): boolean {
  return span.spanType === 'TOOL' || span.toolName !== undefined;
}

/**
 * Token usage is summed over the innermost spans that report it: frameworks often repeat a
 * model call's usage on the enclosing agent span, and counting both would double it. Model
 * calls are counted the same way: the Vercel AI SDK types both generateText and each provider
 * call inside it as LLM, and only the provider calls are requests to the model.
 */
function innermost(trace: Trace, keep: (span: Span) => boolean): Span[] {
  const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
  const withTokens = trace.spans.filter(keep);
  const hasTokenDescendant = new Set<string>();
  for (const span of withTokens) {
    let parent = span.parentId;
    const seen = new Set<string>();
    while (parent !== null && !seen.has(parent)) {
      seen.add(parent);
      hasTokenDescendant.add(parent);
      parent = byId.get(parent)?.parentId ?? null;
    }
  }
  return withTokens.filter((s) => !hasTokenDescendant.has(s.spanId));
}

export function computeTraceMetrics(trace: Trace): TraceMetrics {
  let inputTokens = 0;
  let outputTokens = 0;
  let totalTokens = 0;
  const tokenSpans = innermost(trace, (s) => s.tokens !== undefined);
  for (const span of tokenSpans) {
    inputTokens += span.tokens!.input;
    outputTokens += span.tokens!.output;
    totalTokens += span.tokens!.total || span.tokens!.input + span.tokens!.output;
  }
  let toolCalls = 0;
  let toolErrors = 0;
  const typedModelCalls = innermost(trace, (s) => MODEL_SPAN_TYPES.has(s.spanType)).length;
  for (const span of trace.spans) {
    if (isToolSpan(span)) {
      toolCalls++;
      if (span.status.code === 'ERROR') toolErrors++;
    }
  }
  // Untyped traces (plain OTLP without GenAI attributes) still show model calls through usage.
  const modelCalls = typedModelCalls > 0 ? typedModelCalls : tokenSpans.length;
  const roots = rootSpans(trace);
  const latencyMs = trace.info.executionDurationMs > 0 ? trace.info.executionDurationMs : Math.max(0, ...roots.map(spanDurationMs));
  return {
    inputTokens,
    outputTokens,
    totalTokens,
    toolCalls,
    toolErrors,
    toolFailureRatio: toolCalls === 0 ? 0 : toolErrors / toolCalls,
    latencyMs,
    modelCalls,
  };
}

/** Per-run totals: sums, with the failure ratio recomputed from the sums and latency summed too. */
export function sumMetrics(all: readonly TraceMetrics[]): TraceMetrics {
  const total: TraceMetrics = {
    inputTokens: 0,
    outputTokens: 0,
    totalTokens: 0,
    toolCalls: 0,
    toolErrors: 0,
    toolFailureRatio: 0,
    latencyMs: 0,
    modelCalls: 0,
  };
  for (const m of all) {
    for (const name of METRIC_NAMES) if (name !== 'toolFailureRatio') total[name] += m[name];
  }
  total.toolFailureRatio = total.toolCalls === 0 ? 0 : total.toolErrors / total.toolCalls;
  return total;
}

export interface MetricFlag {
  metric: MetricName;
  current: number;
  previous: number;
  /** current / previous; null when previous is 0 (any rise from zero is flagged). */
  ratio: number | null;
  direction: 'up' | 'down';
  message: string;
}

/**
 * Changes smaller than this never flag, whatever the ratio: 300 ms → 700 ms is scheduling
 * noise on a busy machine, not a regression. Metrics not listed flag on any change ×2.
 */
export const METRIC_FLAG_FLOORS: Partial<Record<MetricName, number>> = { latencyMs: 1000 };

/** Flags each metric that at least doubled or at least halved since the previous run (and moved by at least its floor). */
export function compareMetrics(current: TraceMetrics, previous: TraceMetrics, factor = 2): MetricFlag[] {
  const flags: MetricFlag[] = [];
  for (const metric of METRIC_NAMES) {
    const now = current[metric];
    const before = previous[metric];
    if (now === before || Math.abs(now - before) < (METRIC_FLAG_FLOORS[metric] ?? 0)) continue;
    if (before === 0) {
      flags.push({ metric, current: now, previous: before, ratio: null, direction: 'up', message: `${metric} rose from 0 to ${round(now)}` });
      continue;
    }
    const ratio = now / before;
    if (ratio >= factor) {
      flags.push({ metric, current: now, previous: before, ratio, direction: 'up', message: `${metric} ×${round(ratio)} (${round(before)} → ${round(now)})` });
    } else if (ratio <= 1 / factor) {
      flags.push({ metric, current: now, previous: before, ratio, direction: 'down', message: `${metric} ×${round(ratio)} (${round(before)} → ${round(now)})` });
    }
  }
  return flags;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
