/**
 * The messages between the extension host and the labeling panel, in one file both sides
 * import; each side validates what it receives with these schemas. The host holds the golden
 * set and the traces; the webview only shows one queue and reports what the human answered.
 * zod/mini, as in traceViewerProtocol.ts: the webview bundle carries only the zod it uses.
 */
import * as z from 'zod/mini';

export const LABELING_STATE_ELEMENT_ID = 'costar-labeling-state';

export const Rated = z.union([z.boolean(), z.string().check(z.minLength(1)), z.number()]);
export type Rated = z.infer<typeof Rated>;

/** One span of the item's tree, in pre-order; `depth` 0 is a root. */
export const SpanRow = z.object({
  depth: z.int().check(z.gte(0)),
  name: z.string(),
  type: z.string(),
  durMs: z.number(),
  error: z.boolean(),
  /** Short text of the span's inputs/outputs, already truncated by the host. */
  inputs: z.optional(z.string()),
  outputs: z.optional(z.string()),
});
export type SpanRow = z.infer<typeof SpanRow>;

export const LabelItem = z.object({
  traceId: z.string().check(z.regex(/^[0-9a-f]{32}$/)),
  title: z.string(),
  scenarioId: z.optional(z.string()),
  runId: z.optional(z.string()),
  prompt: z.string(),
  output: z.string(),
  artifacts: z.array(z.object({ path: z.string(), change: z.string(), text: z.optional(z.string()) })),
  spans: z.array(SpanRow),
  /** Spans left out of `spans` (large traces): open the trace viewer for all of them. */
  moreSpans: z.int().check(z.gte(0)),
  /** Why the item is at this place in the queue, strongest reason first. */
  reasons: z.array(z.string()),
  /** The judge's latest opinion; shown only after the human answered when blind. */
  verdict: z.optional(z.object({ value: Rated, rationale: z.string(), source: z.string() })),
});
export type LabelItem = z.infer<typeof LabelItem>;

export const JudgeChoice = z.object({ id: z.string(), description: z.string() });

export const LabelingJudge = z.object({
  id: z.string(),
  version: z.string(),
  description: z.string(),
  /** Button values in order: key 1 is the first. Empty for wide number ranges (a number box instead). */
  choices: z.array(Rated),
  range: z.optional(z.object({ min: z.number(), max: z.number() })),
});
export type LabelingJudge = z.infer<typeof LabelingJudge>;

export const LabelingState = z.object({
  judges: z.array(JudgeChoice),
  judge: z.optional(LabelingJudge),
  items: z.array(LabelItem),
  labeller: z.string(),
  /** Hide the judge's verdict until the human has answered (default on: avoids anchoring). */
  blind: z.boolean(),
  /** What to tell the user instead of a queue (no judges, no traces…). */
  notice: z.optional(z.string()),
  /** Traces this judge assesses that the labeller had labelled before: progress survives reopening. */
  labelledBefore: z.optional(z.int().check(z.gte(0))),
  /** Damaged files that were skipped (a corrupt trace, a report), each naming the file. */
  warnings: z.optional(z.array(z.string())),
});
export type LabelingState = z.infer<typeof LabelingState>;

const KappaView = z.object({
  n: z.number(),
  accuracy: z.nullable(z.number()),
  kappa: z.nullable(z.number()),
  ci: z.nullable(z.tuple([z.number(), z.number()])),
  note: z.optional(z.string()),
  categories: z.array(Rated),
  matrix: z.array(z.array(z.number())),
});

export const AgreementView = z.object({
  judgeId: z.string(),
  labelledTraces: z.number(),
  unjudged: z.array(z.string()),
  judgeVsHuman: KappaView,
  disagreements: z.array(z.object({ traceId: z.string(), scenarioId: z.optional(z.string()), human: Rated, judge: Rated, humanRationales: z.array(z.string()), judgeRationale: z.string() })),
  conflicts: z.array(z.object({ traceId: z.string(), votes: z.array(z.object({ value: Rated, labellers: z.array(z.string()) })), resolved: Rated, how: z.string() })),
  interLabeller: z.array(z.object({ a: z.string(), b: z.string(), result: KappaView })),
  judgeVersions: z.array(z.string()),
});
export type AgreementView = z.infer<typeof AgreementView>;

export const WebviewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('chooseJudge'), judgeId: z.string() }),
  z.object({ type: z.literal('label'), traceId: z.string(), value: Rated, rationale: z.string().check(z.maxLength(20_000)) }),
  z.object({ type: z.literal('undo'), traceId: z.string() }),
  z.object({ type: z.literal('requestAgreement') }),
  z.object({ type: z.literal('openTrace'), traceId: z.string() }),
]);
export type WebviewMessage = z.infer<typeof WebviewMessage>;

export const HostMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state'), state: LabelingState }),
  z.object({ type: z.literal('saved'), traceId: z.string(), value: Rated }),
  z.object({ type: z.literal('undone'), traceId: z.string() }),
  z.object({ type: z.literal('agreement'), agreement: z.nullable(AgreementView), message: z.optional(z.string()) }),
  z.object({ type: z.literal('error'), message: z.string(), traceId: z.optional(z.string()) }),
  /** Traces were stored since the queue was built (a run finished, an import). */
  z.object({ type: z.literal('newTraces') }),
]);
export type HostMessage = z.infer<typeof HostMessage>;
