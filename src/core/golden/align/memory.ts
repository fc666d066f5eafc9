/**
 * MemAlign-like alignment memory of one judge:
 *  - semantic memory: guidelines the model distilled from batches of expert labels, each
 *    citing the traces it came from;
 *  - episodic memory: the labelled examples themselves, of which the k most similar to the
 *    trace being judged are shown to the judge (embeddings when the endpoint has them, BM25
 *    otherwise).
 * Unlearning: when labels are removed, their examples go, and so does every guideline whose
 * sources are all gone (a guideline with one source left still has evidence).
 *
 * The guidelines become part of the judge's instructions (a block at their end, see
 * guidelinesBlock), so the judge file alone reproduces them. The memory file
 * `golden/<judge-id>.memory.json` keeps guidelines with full source ids, and the examples.
 */
import { z } from 'zod';
import { finalOutput } from '../../judges/checks/traceText';
import type { ModelClient } from '../../llm/types';
import { keyOf, type RatedValue } from '../kappa';
import type { TraceCase } from '../traceCase';
import { Bm25Index } from './bm25';
import type { CallBudget } from './budget';
import type { Rating } from './rate';

export const Guideline = z.strictObject({ text: z.string().min(1), sources: z.array(z.string().regex(/^[0-9a-f]{32}$/)).min(1) });
export type Guideline = z.output<typeof Guideline>;

export const MemoryExample = z.strictObject({ traceId: z.string(), text: z.string(), value: z.union([z.boolean(), z.string(), z.number()]), rationale: z.string() });
export type MemoryExample = z.output<typeof MemoryExample>;

export const JudgeMemory = z.strictObject({
  judgeId: z.string(),
  judgeVersion: z.string(),
  guidelines: z.array(Guideline),
  examples: z.array(MemoryExample),
  /** Examples shown per judged trace (`align --k`); 3 when absent. */
  k: z.number().int().positive().optional(),
});
export type JudgeMemory = z.output<typeof JudgeMemory>;

export const GUIDELINES_HEADER = 'Guidelines learned from expert labels (costar align; sources are trace ids):';
const EXAMPLE_TEXT_CAP = 1_500;

export interface TrainingExample {
  case: TraceCase;
  value: RatedValue;
  rationale: string;
}

export function exampleText(c: Pick<TraceCase, 'trace' | 'scenario'>): string {
  const output = finalOutput(c.trace) ?? '';
  return `Task: ${c.scenario.prompt}\nAnswer: ${output}`.slice(0, EXAMPLE_TEXT_CAP);
}

/** The instructions without a guidelines block added by an earlier alignment. */
export function stripGuidelines(instructions: string): string {
  const at = instructions.indexOf(GUIDELINES_HEADER);
  return at < 0 ? instructions : instructions.slice(0, at).trimEnd() + '\n';
}

export function guidelinesBlock(guidelines: readonly Guideline[]): string {
  if (guidelines.length === 0) return '';
  return [GUIDELINES_HEADER, ...guidelines.map((g) => `- ${g.text} [sources: ${g.sources.join(', ')}]`)].join('\n');
}

export function withGuidelines(instructions: string, guidelines: readonly Guideline[]): string {
  const base = stripGuidelines(instructions).trimEnd();
  const block = guidelinesBlock(guidelines);
  return block ? `${base}\n\n${block}\n` : `${base}\n`;
}

const GUIDELINE_LINE = /^- .*\[sources: ([0-9a-f, ]+)\]\s*$/;

/**
 * The instructions without the lines of their guidelines block whose cited traces are all no
 * longer labelled: unlearning at judge time, before the next alignment rewrites the block.
 * Lines the block holds without a `[sources: …]` citation (written by hand) are kept.
 */
export function withoutUnbackedGuidelines(instructions: string, labelled: ReadonlySet<string>): string {
  const at = instructions.indexOf(GUIDELINES_HEADER);
  if (at < 0) return instructions;
  const lines = instructions.slice(at).split('\n');
  const kept = lines.filter((line) => {
    const cited = GUIDELINE_LINE.exec(line.trim())?.[1];
    return cited === undefined || cited.split(',').some((id) => labelled.has(id.trim()));
  });
  // A header left without a guideline would only confuse the model.
  if (!kept.slice(1).some((line) => line.trim() !== '')) return stripGuidelines(instructions);
  return instructions.slice(0, at) + kept.join('\n');
}

/** Drops removed traces' examples and the guidelines left without any source. */
export function unlearn(memory: JudgeMemory, removedTraceIds: ReadonlySet<string>): JudgeMemory {
  return {
    ...memory,
    examples: memory.examples.filter((e) => !removedTraceIds.has(e.traceId)),
    guidelines: memory.guidelines.filter((g) => g.sources.some((s) => !removedTraceIds.has(s))),
  };
}

/** Finds the most similar examples: by embeddings when given, else BM25. */
export type Embedder = (texts: string[]) => Promise<number[][]>;

export class ExampleRetriever {
  private constructor(
    private readonly examples: readonly MemoryExample[],
    private readonly bm25: Bm25Index | undefined,
    private readonly vectors: number[][] | undefined,
    private readonly embed: Embedder | undefined,
    readonly method: 'embeddings' | 'bm25',
  ) {}

  static async create(examples: readonly MemoryExample[], embed?: Embedder): Promise<ExampleRetriever> {
    if (embed && examples.length > 0) {
      const vectors = await embed(examples.map((e) => e.text));
      return new ExampleRetriever(examples, undefined, vectors, embed, 'embeddings');
    }
    return new ExampleRetriever(examples, new Bm25Index(examples.map((e) => e.text)), undefined, undefined, 'bm25');
  }

  /** The k most similar examples, never the trace itself. */
  async similar(text: string, k: number, excludeTraceId?: string): Promise<MemoryExample[]> {
    const pool = this.examples.map((e, i) => ({ e, i })).filter(({ e }) => e.traceId !== excludeTraceId);
    if (this.vectors && this.embed) {
      const [query] = await this.embed([text]);
      return pool
        .map(({ e, i }) => ({ e, score: cosine(query!, this.vectors![i]!) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, k)
        .map((x) => x.e);
    }
    const allowed = new Set(pool.map((p) => p.i));
    return this.bm25!.search(text, k + 1).filter((i) => allowed.has(i)).slice(0, k).map((i) => this.examples[i]!);
  }
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export function examplesContext(examples: readonly MemoryExample[]): string | undefined {
  if (examples.length === 0) return undefined;
  return [
    'Similar cases graded by experts (follow their reasoning where it applies):',
    ...examples.map((e, i) => `Example ${i + 1}:\n${e.text}\nExpert verdict: ${JSON.stringify(e.value)} — ${e.rationale || '(no rationale)'}`),
  ].join('\n\n');
}

const DistilledReply = z.object({ guidelines: z.array(z.object({ text: z.string().min(1), sources: z.array(z.string()) })) });
const DISTILL_SCHEMA = {
  type: 'object',
  properties: {
    guidelines: {
      type: 'array',
      items: { type: 'object', properties: { text: { type: 'string' }, sources: { type: 'array', items: { type: 'string' } } }, required: ['text', 'sources'], additionalProperties: false },
    },
  },
  required: ['guidelines'],
  additionalProperties: false,
};

export const DISTILL_SYSTEM_PROMPT =
  'You help align an automated judge with human experts. From graded examples, write short, general grading guidelines ' +
  'that would make the judge give the experts\' verdicts. Each guideline cites the ids of the examples it comes from. ' +
  'Answer with JSON {"guidelines": [{"text": "...", "sources": ["<example id>", ...]}]}.';

/**
 * Distils guidelines from batches of training examples (disagreements with the current judge
 * first: they carry the most information). Guidelines citing no example of their batch are
 * dropped: a guideline must be traceable to labels, or unlearning could never remove it.
 */
export async function distillGuidelines(
  instructions: string,
  examples: readonly TrainingExample[],
  current: ReadonlyMap<string, Rating>,
  model: ModelClient,
  budget: CallBudget,
  batchSize = 8,
): Promise<Guideline[]> {
  const wrong = (x: TrainingExample) => keyOf(current.get(x.case.trace.info.traceId)?.value ?? '') !== keyOf(x.value);
  const ordered = [...examples.filter(wrong), ...examples.filter((x) => !wrong(x))];
  const guidelines: Guideline[] = [];
  for (let start = 0; start < ordered.length; start += batchSize) {
    const batch = ordered.slice(start, start + batchSize);
    if (!batch.some(wrong)) break; // the judge already agrees on everything left
    budget.reserve();
    const ids = new Set(batch.map((x) => x.case.trace.info.traceId));
    const prompt = [
      `The judge's instructions:\n${stripGuidelines(instructions)}`,
      'Graded examples:',
      ...batch.map((x) => {
        const id = x.case.trace.info.traceId;
        const judge = current.get(id);
        return `Example id: ${id}\n${exampleText(x.case)}\nExpert verdict: ${JSON.stringify(x.value)} — ${x.rationale || '(no rationale)'}\nJudge verdict: ${judge?.value === undefined ? '(none)' : JSON.stringify(judge.value)} — ${judge?.rationale ?? ''}`;
      }),
      'Write at most 3 guidelines that explain the experts\' verdicts where the judge was wrong.',
    ].join('\n\n');
    const reply = await model.chat(
      { messages: [{ role: 'system', content: DISTILL_SYSTEM_PROMPT }, { role: 'user', content: prompt }], responseFormat: { name: 'distilled_guidelines', schema: DISTILL_SCHEMA }, temperature: 0 },
      { ...(budget.signal ? { signal: budget.signal } : {}), validate: (r) => (DistilledReply.safeParse(safeJson(r.content)).success ? undefined : 'expected {"guidelines": [{"text", "sources"}]}') },
    );
    budget.settle(reply.requests);
    const parsed = DistilledReply.parse(safeJson(reply.content));
    for (const g of parsed.guidelines) {
      const sources = [...new Set(g.sources.map((s) => s.trim().toLowerCase()).filter((s) => ids.has(s)))];
      if (sources.length > 0) guidelines.push({ text: g.text.trim(), sources });
    }
  }
  return guidelines;
}

function safeJson(text: string | null): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
