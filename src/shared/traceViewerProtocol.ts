/**
 * The messages between the extension host and the trace viewer webview, in one file that both
 * sides import. Every message is validated with zod on arrival: the webview treats the host as
 * the only source of truth, and the host never trusts what a webview posts. The schemas use
 * zod/mini (the same schemas, a functional API that bundles only what is used): a webview
 * bundle carries a few KB of zod instead of its whole ≈ 190 KB API (docs/build.md).
 *
 * The span tree travels as a "skeleton" of binary columns (typed arrays in tree pre-order,
 * skeletonColumns.ts) in a message after the page loaded, not inside the page: nothing on the way
 * parses it, and the webview indexes it by row number anyway. Payloads (inputs, outputs,
 * attributes, events) stay in the trace file and are read per span on demand.
 */
import * as z from 'zod/mini';
import { KNOWN_SPAN_TYPES, SPAN_STATUS } from '../core/trace/model';
import { skeletonProblem, type SkeletonColumns } from './skeletonColumns';

/** Span types by index; a type outside the list (a custom string) shows as UNKNOWN in the tree and as written in the detail. */
export const SPAN_TYPES = KNOWN_SPAN_TYPES;

/** Status codes as small numbers in the skeleton (the outline's own). */
export const STATUS = SPAN_STATUS;

const TextColumnSchema = z.object({ bytes: z.instanceof(Uint8Array), offsets: z.instanceof(Uint32Array) });

/** The span tree's binary columns (skeletonColumns.ts), checked whole before the tree uses them. */
export const Skeleton = z.object({
  size: z.int().check(z.gte(0)),
  parents: z.instanceof(Int32Array),
  names: z.object({ distinct: TextColumnSchema, index: z.instanceof(Uint32Array) }),
  types: z.instanceof(Uint8Array),
  status: z.instanceof(Uint8Array),
  startMs: z.instanceof(Float32Array),
  durMs: z.instanceof(Float32Array),
}).check(z.superRefine((s, ctx) => {
  const problem = skeletonProblem(s, SPAN_TYPES.length, Object.keys(STATUS).length);
  if (problem) ctx.addIssue({ code: 'custom', message: `skeleton: ${problem}` });
}));
export type Skeleton = SkeletonColumns;

export const Outcome = z.enum(['passed', 'failed', 'error', 'skipped']);

export const ViewerVerdict = z.object({
  judge: z.string(),
  name: z.string(),
  outcome: Outcome,
  value: z.unknown(),
  rationale: z.string(),
  source: z.string(),
  error: z.optional(z.string()),
  /** Rows (skeleton indices) of the spans the judge cites that exist in this trace. */
  rows: z.array(z.int()),
  cost: z.object({ inputTokens: z.number(), outputTokens: z.number(), modelCalls: z.number(), ms: z.number() }),
});
export type ViewerVerdict = z.infer<typeof ViewerVerdict>;

export const Metrics = z.object({
  spans: z.number(),
  errors: z.number(),
  totalTokens: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  modelCalls: z.number(),
  toolCalls: z.number(),
  toolFailures: z.number(),
  latencyMs: z.number(),
});
export type Metrics = z.infer<typeof Metrics>;

export const ArtifactEntry = z.object({
  path: z.string(),
  size: z.number(),
  change: z.enum(['created', 'modified', 'deleted']),
  hasText: z.boolean(),
});
export type ArtifactEntry = z.infer<typeof ArtifactEntry>;

/** Where a viewer's trace comes from; kept in the webview state so a reloaded panel can find it again. */
export const TraceSourceRef = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('store'), traceId: z.string() }),
  z.object({ kind: z.literal('file'), uri: z.string() }),
]);
export type TraceSourceRef = z.infer<typeof TraceSourceRef>;

export const RootCause = z.object({ row: z.int(), reason: z.string() });
export type RootCause = z.infer<typeof RootCause>;

export const InitialState = z.object({
  source: TraceSourceRef,
  traceId: z.string(),
  title: z.string(),
  state: z.string(),
  scenarioId: z.optional(z.string()),
  runId: z.optional(z.string()),
  verdicts: z.array(ViewerVerdict),
  rootCause: z.nullable(RootCause),
  metrics: Metrics,
  /** Metrics of the previous run of the same scenario, when one was found. */
  previous: z.optional(z.object({ runId: z.string(), traceId: z.string(), metrics: Metrics })),
  artifacts: z.array(ArtifactEntry),
  /** Rows to reveal and select when the panel first opens (e.g. the spans a failing judge cites). */
  reveal: z.optional(z.array(z.int())),
  /**
   * True when the header offers "Promote to scenario": a trace in a workspace's trace store
   * (promotion reads it from there), with a failing or erroring verdict (a passing trace has
   * nothing to pin down).
   */
  promotable: z.optional(z.boolean()),
});
export type InitialState = z.infer<typeof InitialState>;

/**
 * The page while a trace file is read for the first time (no outline yet): what it is, then
 * `progress` and a `preview` of the first spans read. Once the trace is open the host replaces
 * the page with the viewer's (InitialState).
 */
export const LoadingState = z.object({
  loading: z.literal(true),
  source: TraceSourceRef,
  title: z.string(),
});
export type LoadingState = z.infer<typeof LoadingState>;

export const SpanDetail = z.object({
  row: z.int(),
  spanId: z.string(),
  name: z.string(),
  type: z.string(),
  status: z.object({ code: z.string(), message: z.optional(z.string()) }),
  startMs: z.number(),
  durMs: z.number(),
  toolName: z.optional(z.string()),
  tokens: z.optional(z.object({ input: z.number(), output: z.number(), total: z.number() })),
  inputs: z.optional(z.unknown()),
  outputs: z.optional(z.unknown()),
  attributes: z.record(z.string(), z.unknown()),
  events: z.array(z.object({ name: z.string(), offsetMs: z.number(), attributes: z.record(z.string(), z.unknown()) })),
});
export type SpanDetail = z.infer<typeof SpanDetail>;

export const HostMessage = z.discriminatedUnion('type', [
  /** The span tree, sent for every `ready` (a hidden panel's page is rebuilt when shown again). */
  z.object({ type: z.literal('skeleton'), skeleton: Skeleton }),
  /** To a loading page: how far the first read of the file got. */
  z.object({ type: z.literal('progress'), bytesRead: z.number().check(z.gte(0)), totalBytes: z.number().check(z.gte(0)) }),
  /** To a loading page: the first spans read, as rows (spans whose parent comes later are roots for now). */
  z.object({ type: z.literal('preview'), skeleton: Skeleton }),
  z.object({ type: z.literal('spanDetail'), detail: SpanDetail }),
  z.object({
    type: z.literal('searchResults'),
    requestId: z.int(),
    /**
     * Rows found since the previous batch of this request (a search streams through the trace
     * file, so batches come in file order; the webview orders them).
     */
    rows: z.array(z.int()),
    /** False while the search goes on; a newer request cancels an older one. */
    done: z.boolean(),
    /** True when more matched than were returned. */
    truncated: z.boolean(),
    error: z.optional(z.string()),
  }),
  /** Ask the webview to reveal and select spans (e.g. opened from a failed test result). */
  z.object({ type: z.literal('reveal'), rows: z.array(z.int()) }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type HostMessage = z.infer<typeof HostMessage>;

export const WebviewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('getSpan'), row: z.int().check(z.gte(0)) }),
  z.object({
    type: z.literal('search'),
    requestId: z.int(),
    query: z.string().check(z.maxLength(10_000)),
    regex: z.boolean(),
    caseSensitive: z.boolean(),
  }),
  z.object({ type: z.literal('openArtifact'), path: z.string() }),
  /** Draft a scenario from the shown trace; the host knows which trace, so the message names none. */
  z.object({ type: z.literal('promote') }),
]);
export type WebviewMessage = z.infer<typeof WebviewMessage>;

/** What the webview keeps with `setState`, so a hidden or reloaded panel comes back as it was. */
/** The span detail's tabs; the one chosen last is kept across span selections and reloads. */
export const DetailTab = z.enum(['inputs', 'outputs', 'attributes', 'events']);
export type DetailTab = z.infer<typeof DetailTab>;

export const ViewerState = z.object({
  source: TraceSourceRef,
  /**
   * Rows of the tree when the state was saved: expanded and selected are rows (the page has no
   * span ids), so they are restored only onto a tree of the same size.
   */
  rows: z.int().check(z.gte(0)),
  expanded: z.array(z.int()),
  selected: z.nullable(z.int()),
  failingOnly: z.boolean(),
  /** Width of the side panel after the user dragged the split; absent: the default split. */
  sideWidthPx: z.optional(z.number().check(z.positive())),
  detailTab: z.optional(DetailTab),
});
export type ViewerState = z.infer<typeof ViewerState>;

/** What a restored panel needs to find its trace again: the source of any state this viewer ever saved. */
export const SavedSource = z.object({ source: TraceSourceRef });

/** Id of the script tag that carries the initial state inside the webview HTML. */
export const INITIAL_STATE_ELEMENT_ID = 'costar-initial-state';
