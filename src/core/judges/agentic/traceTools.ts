/**
 * The tools an agentic judge uses to look at a trace, modelled on MLflow's judge tools.
 * Every answer is small and paginated: the judge never receives the whole trace, only what
 * it asks for. Times are milliseconds from the trace start. Built once per trace and session;
 * indexes (span texts, timing) are computed on first use.
 */
import { z } from 'zod';
import type { ToolDefinition } from '../../llm/types';
import { rootSpans, type Span, type Trace } from '../../trace/model';
import { readArtifactText } from '../checks/traceText';
import { compileRegex, ScanBudget } from '../../util/safeRegex';
import { callTool, type ToolSpec } from '../../llm/tools';

const MAX_PAGE = 200;
const MAX_CHARS = 20_000;

const ListSpansArgs = z.strictObject({
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(MAX_PAGE).default(50),
  spanType: z.string().optional(),
  name: z.string().optional().describe('Substring of the span name (case-insensitive).'),
  status: z.enum(['OK', 'ERROR', 'UNSET']).optional(),
  parentId: z.string().optional(),
});
const GetSpanArgs = z.strictObject({
  spanId: z.string(),
  offset: z.number().int().min(0).default(0),
  maxChars: z.number().int().min(100).max(MAX_CHARS).default(4000),
  attributes: z.array(z.string()).optional().describe('Only these attribute keys (default: all).'),
});
const RootSpanArgs = GetSpanArgs.omit({ spanId: true });
const SearchArgs = z.strictObject({
  pattern: z.string().min(1).describe('A regular expression in RE2 syntax (no backreferences, no lookahead).'),
  flags: z.string().regex(/^[imsu]*$/).default('i'),
  offset: z.number().int().min(0).default(0),
  maxMatches: z.number().int().min(1).max(100).default(20),
  contextChars: z.number().int().min(0).max(500).default(80),
});
const TimingArgs = z.strictObject({ top: z.number().int().min(1).max(50).default(10) });
const ReadArtifactArgs = z.strictObject({
  path: z.string(),
  offset: z.number().int().min(0).default(0),
  maxChars: z.number().int().min(100).max(MAX_CHARS).default(4000),
});
const NoArgs = z.strictObject({});


/** The trace tools by name (also offered to coding assistants, with a trace id: core/assist). */
export const TRACE_TOOLS: Record<string, ToolSpec<TraceToolbox>> = {
  get_trace_info: { description: 'Trace id, state, duration, span and artifact counts, span types, error count, metadata.', args: NoArgs, run: (t) => t.traceInfo() },
  list_spans: { description: 'Span metadata only (id, parent, name, type, status, start and duration in ms), paginated, in start order; filter by type, name, status or parent.', args: ListSpansArgs, run: (t, a) => t.listSpans(a) },
  get_span: { description: "One span's content (inputs, outputs, attributes, events, status) as JSON text, paginated by character offset.", args: GetSpanArgs, run: (t, a) => t.getSpan(a) },
  get_root_span: { description: 'The root span content (the agent request and final response), paginated by character offset.', args: RootSpanArgs, run: (t, a) => t.getRootSpan(a) },
  search_trace_regex: { description: "Regex search over every span's name, inputs, outputs, attributes and status message; matches with surrounding text, paginated.", args: SearchArgs, run: (t, a) => t.search(a) },
  get_span_performance_and_timing_report: { description: 'Slowest spans, highest self time, time per span type, and the maximum number of spans running at once.', args: TimingArgs, run: (t, a) => t.timingReport(a) },
  list_artifacts: { description: 'Files the agent created, changed or deleted in its sandbox.', args: NoArgs, run: (t) => t.listArtifacts() },
  read_artifact: { description: 'Text of an artifact, paginated by character offset.', args: ReadArtifactArgs, run: (t, a) => t.readArtifact(a) },
};

export const TRACE_TOOL_NAMES = Object.keys(TRACE_TOOLS);

/** OpenAI tool definitions of the trace tools. */
export function traceToolDefinitions(): ToolDefinition[] {
  return Object.entries(TRACE_TOOLS).map(([name, spec]) => {
    const parameters = z.toJSONSchema(spec.args, { io: 'input' }) as Record<string, unknown>;
    delete parameters.$schema;
    return { type: 'function', function: { name, description: spec.description, parameters } };
  });
}

interface SpanText {
  span: Span;
  field: string;
  text: string;
}

export class TraceToolbox {
  private readonly byId: Map<string, Span>;
  private readonly ordered: Span[];
  private readonly t0: bigint;
  private texts: SpanText[] | undefined;

  constructor(
    readonly trace: Trace,
    private readonly sandboxDir?: string,
  ) {
    this.byId = new Map(trace.spans.map((s) => [s.spanId, s]));
    this.ordered = [...trace.spans].sort((a, b) => cmp(BigInt(a.startTimeUnixNano), BigInt(b.startTimeUnixNano)));
    this.t0 = this.ordered.length > 0 ? BigInt(this.ordered[0]!.startTimeUnixNano) : 0n;
  }

  /** Runs a tool by name with the model's JSON arguments; bad input becomes an error answer the model can correct. */
  call(name: string, argumentsJson: string): Promise<unknown> {
    return callTool(TRACE_TOOLS, this, name, argumentsJson);
  }


  private ms(ns: string): number {
    return round(Number(BigInt(ns) - this.t0) / 1e6);
  }

  private meta(span: Span) {
    const m: Record<string, unknown> = {
      spanId: span.spanId,
      parentId: span.parentId,
      name: span.name,
      spanType: span.spanType,
      status: span.status.code,
      startMs: this.ms(span.startTimeUnixNano),
      durationMs: round(Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6),
    };
    if (span.toolName) m.toolName = span.toolName;
    return m;
  }

  traceInfo() {
    const spanTypes: Record<string, number> = {};
    for (const s of this.trace.spans) spanTypes[s.spanType] = (spanTypes[s.spanType] ?? 0) + 1;
    const info = this.trace.info;
    return {
      traceId: info.traceId,
      state: info.state,
      requestTime: new Date(info.requestTime).toISOString(),
      executionDurationMs: info.executionDurationMs,
      spanCount: this.trace.spans.length,
      errorSpanCount: this.trace.spans.filter((s) => s.status.code === 'ERROR').length,
      artifactCount: this.trace.artifacts.length,
      rootSpanIds: rootSpans(this.trace).map((s) => s.spanId),
      spanTypes,
      metadata: info.metadata,
    };
  }

  listSpans(args: z.output<typeof ListSpansArgs>) {
    const name = args.name?.toLowerCase();
    const selected = this.ordered.filter(
      (s) =>
        (args.spanType === undefined || s.spanType === args.spanType) &&
        (name === undefined || s.name.toLowerCase().includes(name)) &&
        (args.status === undefined || s.status.code === args.status) &&
        (args.parentId === undefined || s.parentId === args.parentId),
    );
    const page = selected.slice(args.offset, args.offset + args.limit);
    const next = args.offset + page.length;
    return { total: selected.length, offset: args.offset, spans: page.map((s) => this.meta(s)), ...(next < selected.length ? { nextOffset: next } : {}) };
  }

  getSpan(args: z.output<typeof GetSpanArgs>) {
    const span = this.byId.get(args.spanId);
    if (!span) return { error: `no span ${args.spanId} in this trace; list_spans gives the ids` };
    return this.spanContent(span, args);
  }

  getRootSpan(args: z.output<typeof RootSpanArgs>) {
    const root = rootSpans(this.trace)[0];
    if (!root) return { error: 'the trace has no spans' };
    return this.spanContent(root, args);
  }

  private spanContent(span: Span, args: { offset: number; maxChars: number; attributes?: string[] | undefined }) {
    const attributes = args.attributes ? Object.fromEntries(Object.entries(span.attributes).filter(([k]) => args.attributes!.includes(k))) : span.attributes;
    const body: Record<string, unknown> = { status: span.status, inputs: span.inputs, outputs: span.outputs, attributes, events: span.events };
    if (span.tokens) body.tokens = span.tokens;
    return { ...this.meta(span), ...page(JSON.stringify(body, null, 1), args.offset, args.maxChars) };
  }

  private spanTexts(): SpanText[] {
    if (!this.texts) {
      this.texts = [];
      for (const span of this.ordered) {
        const add = (field: string, value: unknown) => {
          if (value === undefined || value === null) return;
          const text = typeof value === 'string' ? value : JSON.stringify(value);
          if (text && text !== '{}' && text !== '[]') this.texts!.push({ span, field, text });
        };
        add('name', span.name);
        add('inputs', span.inputs);
        add('outputs', span.outputs);
        add('attributes', span.attributes);
        add('status', span.status.message);
      }
    }
    return this.texts;
  }

  search(args: z.output<typeof SearchArgs>) {
    const compiled = compileRegex(args.pattern, args.flags);
    if (!compiled.ok) return { error: compiled.reason };
    const matches: Record<string, unknown>[] = [];
    let total = 0;
    const budget = new ScanBudget();
    for (const { span, field, text: full } of this.spanTexts()) {
      const text = budget.take(full);
      if (text === '' && full !== '') continue; // out of budget: counted as not searched
      for (const m of compiled.regex.matchAll(text)) {
        if (total >= args.offset && matches.length < args.maxMatches) {
          const from = Math.max(0, m.index - args.contextChars);
          const to = Math.min(full.length, m.index + m.text.length + args.contextChars);
          matches.push({ spanId: span.spanId, name: span.name, field, match: m.text, context: full.slice(from, to) });
        }
        total++;
      }
    }
    const next = args.offset + matches.length;
    return {
      pattern: args.pattern,
      totalMatches: total,
      offset: args.offset,
      matches,
      ...(next < total ? { nextOffset: next } : {}),
      // The count is then a lower bound: say so, so the model does not conclude "absent".
      ...(budget.cut ? { cut: `${budget.describe()}; totalMatches counts only the part that was read — search with a narrower pattern or read spans with get_span` } : {}),
    };
  }

  timingReport(args: z.output<typeof TimingArgs>) {
    const children = new Map<string, Span[]>();
    for (const s of this.trace.spans) if (s.parentId !== null) children.set(s.parentId, [...(children.get(s.parentId) ?? []), s]);
    const rows = this.trace.spans.map((span) => {
      const start = BigInt(span.startTimeUnixNano);
      const end = BigInt(span.endTimeUnixNano);
      return { span, durationNs: end - start, selfNs: end - start - coveredNs(start, end, children.get(span.spanId) ?? []) };
    });
    const top = (key: 'durationNs' | 'selfNs') =>
      [...rows]
        .sort((a, b) => cmp(b[key], a[key]))
        .slice(0, args.top)
        .map((r) => ({ spanId: r.span.spanId, name: r.span.name, spanType: r.span.spanType, [key === 'durationNs' ? 'durationMs' : 'selfMs']: round(Number(r[key]) / 1e6) }));
    const byType: Record<string, { count: number; totalMs: number; selfMs: number }> = {};
    for (const r of rows) {
      const entry = (byType[r.span.spanType] ??= { count: 0, totalMs: 0, selfMs: 0 });
      entry.count++;
      entry.totalMs = round(entry.totalMs + Number(r.durationNs) / 1e6);
      entry.selfMs = round(entry.selfMs + Number(r.selfNs) / 1e6);
    }
    return {
      spanCount: rows.length,
      traceDurationMs: this.trace.info.executionDurationMs,
      slowestSpans: top('durationNs'),
      highestSelfTime: top('selfNs'),
      byType,
      concurrency: maxConcurrency(this.trace.spans.filter((s) => s.spanType !== 'AGENT' && s.spanType !== 'CHAIN' && s.spanType !== 'AGENT_RUN'), this.t0),
    };
  }

  listArtifacts() {
    return { artifacts: this.trace.artifacts.map((a) => ({ path: a.path, change: a.change, size: a.size, textRecorded: a.text !== undefined })) };
  }

  async readArtifact(args: z.output<typeof ReadArtifactArgs>) {
    const found = await readArtifactText({ trace: this.trace, sandboxDir: this.sandboxDir }, args.path);
    if ('missing' in found) return { error: found.missing };
    return { path: args.path, ...page(found.text, args.offset, args.maxChars) };
  }
}

function page(text: string, offset: number, maxChars: number) {
  const content = text.slice(offset, offset + maxChars);
  const next = offset + content.length;
  return { totalChars: text.length, offset, content, ...(next < text.length ? { nextOffset: next } : {}) };
}

/** Nanoseconds of [start, end) covered by the union of the children's intervals. */
function coveredNs(start: bigint, end: bigint, kids: Span[]): bigint {
  const intervals = kids
    .map((k) => [max(start, BigInt(k.startTimeUnixNano)), min(end, BigInt(k.endTimeUnixNano))] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => cmp(x[0], y[0]));
  let covered = 0n;
  let curStart = -1n;
  let curEnd = -1n;
  for (const [a, b] of intervals) {
    if (a > curEnd) {
      covered += curEnd - curStart;
      curStart = a;
      curEnd = b;
    } else if (b > curEnd) curEnd = b;
  }
  return covered + (curEnd - curStart);
}

/** Most leaf-level spans (model, tool, retriever…) running at the same instant, and when (ms from the trace start). */
function maxConcurrency(spans: Span[], t0: bigint): { maxConcurrent: number; atMs: number | null } {
  const events: [bigint, number][] = [];
  for (const s of spans) {
    events.push([BigInt(s.startTimeUnixNano), 1], [BigInt(s.endTimeUnixNano), -1]);
  }
  // Ends before starts at the same instant: back-to-back spans are not concurrent.
  events.sort((a, b) => cmp(a[0], b[0]) || a[1] - b[1]);
  let current = 0;
  let best = 0;
  let at: bigint | null = null;
  for (const [time, delta] of events) {
    current += delta;
    if (current > best) {
      best = current;
      at = time;
    }
  }
  return { maxConcurrent: best, atMs: at === null ? null : round(Number(at - t0) / 1e6) };
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
