/**
 * `costar align`: make a judge agree better with its golden set, and prove it on labels the
 * alignment never saw.
 *
 * The labelled traces are split (stratified, seeded) into train and held-out. The current
 * judge is scored on held-out (κ before); the method learns from train only; the proposed
 * judge is scored on held-out (κ after). The proposal — a new judge file text and its diff —
 * is offered only when held-out agreement strictly improves; otherwise the result says why
 * and nothing is offered.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { JudgeEntry } from '../../judges/catalog';
import type { JudgeFileDef } from '../../judges/judgeFile';
import type { JudgeMemoryPrompt } from '../../judges/llmJudge';
import type { ModelClient } from '../../llm/types';
import { writeFileAtomic } from '../../util/atomicWrite';
import { keyOf, type KappaResult, type RatedValue } from '../kappa';
import type { GoldenLabel } from '../label';
import { resolveLabels } from '../resolve';
import type { TraceCase } from '../traceCase';
import { valueChoices, valueProblem } from '../values';
import { CallBudget } from './budget';
import { evolveInstructions } from './instructions';
import { proposeJudgeFile, type JudgeFileProposal } from './judgeFileEdit';
import { distillGuidelines, ExampleRetriever, exampleText, examplesContext, JudgeMemory, unlearn, withGuidelines, type Embedder, type Guideline, type TrainingExample } from './memory';
import { improves, rateCases, scoreRatings, type RateOptions } from './rate';
import { AlignmentMemories, DEFAULT_K } from './judgeTimeMemory';
import { splitStratified } from './split';
import { memoryFile, readMemory } from './memoryFile';

export { memoryFile, readMemory } from './memoryFile';

export type AlignMethod = 'memory' | 'instructions';

/** Fewest labelled traces each method accepts: enough for a held-out side that can move κ. */
export const MIN_LABELS: Record<AlignMethod, number> = { memory: 8, instructions: 12 };

export class AlignmentRefused extends Error {}

export interface AlignOptions {
  workspaceDir: string;
  judge: JudgeEntry;
  labels: readonly GoldenLabel[];
  cases: readonly TraceCase[];
  method: AlignMethod;
  model: ModelClient;
  /** Most model requests this alignment may make (default: 200, or 5 per labelled trace when that is more). */
  budget?: number;
  seed?: string;
  /** Examples retrieved per judged trace (memory method, default 3). */
  k?: number;
  embed?: Embedder;
  /** Cancels the alignment: it then throws AlignmentCancelled and nothing is offered. */
  signal?: AbortSignal;
  /** Told what the alignment is doing, for a progress display. */
  onProgress?: (message: string) => void;
}

export interface AlignResult {
  judgeId: string;
  method: AlignMethod;
  split: { train: number; heldOut: number; validation?: number };
  /** Held-out agreement of the judge as runs use it now (with its current memory, if any). */
  before: KappaResult;
  /** Held-out agreement of the proposed judge file (instructions method: with the current memory, as runs would use it). */
  after: KappaResult;
  /**
   * Memory method: held-out agreement when the judge also sees the k most similar labelled
   * examples of the new memory — what runs will do, so this decides the offer.
   */
  afterWithExamples?: KappaResult;
  retrieval?: 'bm25' | 'embeddings';
  guidelines?: Guideline[];
  /** Guidelines of an earlier alignment dropped because all their source labels are gone. */
  unlearned?: Guideline[];
  offered: boolean;
  /** One sentence: what happened and why it is (not) offered. */
  summary: string;
  proposal?: JudgeFileProposal & { file: string };
  memory?: JudgeMemory;
  modelCalls: number;
  stop?: string;
}

export async function alignJudge(options: AlignOptions): Promise<AlignResult> {
  const { judge, method } = options;
  const def = alignableDef(judge);
  const examples = trainingExamples(options, def);
  const classes = new Set(examples.map((x) => keyOf(x.value)));
  const needed = MIN_LABELS[method];
  if (examples.length < needed) {
    throw new AlignmentRefused(`align --method ${method} needs at least ${needed} labelled traces of judge ${judge.id} that are still stored; it has ${examples.length}. Label more traces in the labeling panel (coSTAR: Label Traces).`);
  }
  if (classes.size < 2) throw new AlignmentRefused(`every label of judge ${judge.id} has the same value (${[...classes][0]}): agreement can't be measured; label traces with other values too.`);

  const seed = options.seed ?? 'costar';
  const { train, heldOut } = splitStratified(examples.map((x) => ({ ...x, traceId: x.case.trace.info.traceId })), seed);
  const order = valueChoices(def.value);
  const budget = new CallBudget(options.budget ?? Math.max(200, 5 * examples.length), options.signal);
  const progress = options.onProgress ?? (() => {});
  const human = new Map<string, RatedValue>(heldOut.map((x) => [x.traceId, x.value]));
  const instructions = def.instructions!;
  const heldOutCases = heldOut.map((x) => x.case);
  // Before is what runs do today: with the judge's current memory when it has one.
  const now = await currentBehaviour(options, def, heldOutCases);
  progress(`scoring the current judge on ${heldOut.length} held-out traces`);
  const before = scoreRatings(human, await rateCases(def, now.instructions, heldOutCases, { model: options.model, budget, ...now.rate }), order);

  let proposed: string;
  const partial: Partial<AlignResult> = {};
  let validation: number | undefined;
  if (method === 'memory') {
    const previous = await readMemory(options.workspaceDir, judge.id);
    const labelled = new Set(examples.map((x) => x.case.trace.info.traceId));
    const kept = previous ? unlearn(previous, new Set(previous.guidelines.flatMap((g) => g.sources).filter((s) => !labelled.has(s)))) : undefined;
    const unlearned = previous ? previous.guidelines.filter((g) => !kept!.guidelines.includes(g)) : [];
    progress(`distilling guidelines from ${train.length} training labels`);
    const current = await rateCases(def, instructions, train.map((x) => x.case), { model: options.model, budget });
    const fresh = await distillGuidelines(instructions, train, current, options.model, budget);
    const guidelines = [...(kept?.guidelines ?? []), ...fresh];
    proposed = withGuidelines(instructions, guidelines);
    const memoryExamples = train.map((x) => ({ traceId: x.traceId, text: exampleText(x.case), value: x.value, rationale: x.rationale }));
    const retriever = await ExampleRetriever.create(memoryExamples, options.embed);
    const contexts = new Map<string, string | undefined>();
    const k = options.k ?? DEFAULT_K;
    for (const x of heldOut) contexts.set(x.traceId, examplesContext(await retriever.similar(exampleText(x.case), k, x.traceId)));
    progress(`scoring the guidelines with retrieved examples on ${heldOut.length} held-out traces`);
    const withExamples = await rateCases(def, proposed, heldOutCases, { model: options.model, budget, contextFor: (c) => contexts.get(c.trace.info.traceId) });
    Object.assign(partial, {
      guidelines,
      unlearned,
      retrieval: retriever.method,
      afterWithExamples: scoreRatings(human, withExamples, order),
      memory: { judgeId: judge.id, judgeVersion: '', guidelines, examples: memoryExamples, k },
    });
  } else {
    // Instructions are chosen on a validation part of train, so held-out stays unseen until the end.
    const inner = splitStratified(train, `${seed}/validation`);
    validation = inner.heldOut.length;
    // The search may not eat the calls the final held-out comparison needs.
    const search = new CallBudget(Math.max(0, budget.remaining - heldOut.length), options.signal);
    progress(`searching better instructions on ${inner.train.length} training labels`);
    const evolved = await evolveInstructions({ def, train: inner.train, validation: inner.heldOut, model: options.model, budget: search, order });
    budget.charge(search.used);
    proposed = evolved.chosen.instructions;
    partial.stop = evolved.stop;
  }
  // The memory method's judge file alone; the instructions method's proposal as runs would use it (with the current memory).
  const rateAfter = method === 'memory' ? {} : now.rate;
  if (proposed !== instructions) progress(`scoring the proposal on ${heldOut.length} held-out traces`);
  const after = proposed === instructions ? before : scoreRatings(human, await rateCases(def, proposed, heldOutCases, { model: options.model, budget, ...rateAfter }), order);
  // Offers are decided on what runs will do: a memory-aligned judge also sees retrieved examples.
  const decisive = partial.afterWithExamples ?? after;
  const offered = proposed !== instructions && improves(before, decisive);
  const result: AlignResult = {
    judgeId: judge.id,
    method,
    split: { train: train.length - (validation ?? 0), heldOut: heldOut.length, ...(validation !== undefined ? { validation } : {}) },
    before,
    after,
    ...partial,
    offered,
    summary: summarize(proposed === instructions, offered, before, decisive),
    modelCalls: budget.used,
  };
  if (offered) {
    const original = await fs.readFile(judge.file!, 'utf8');
    const proposal = proposeJudgeFile(original, path.relative(options.workspaceDir, judge.file!).split(path.sep).join('/'), proposed, def.version);
    result.proposal = { ...proposal, file: judge.file! };
    if (result.memory) result.memory.judgeVersion = proposal.version;
  } else {
    delete result.memory;
  }
  return result;
}

/** Accepts an offered proposal: writes the judge file and, for the memory method, its memory file. */
export async function acceptAlignment(workspaceDir: string, result: AlignResult): Promise<string[]> {
  if (!result.offered || !result.proposal) throw new Error('nothing to accept: this alignment offered no new judge version');
  await writeFileAtomic(result.proposal.file, result.proposal.text);
  const written = [result.proposal.file];
  if (result.memory) {
    const file = memoryFile(workspaceDir, result.judgeId);
    await writeFileAtomic(file, `${JSON.stringify(result.memory, null, 2)}\n`);
    written.push(file);
  }
  return written;
}

/**
 * The judge as runs use it now: the instructions and retrieved examples its memory gives each
 * case (judgeTimeMemory.ts), or its plain instructions when it has no memory.
 */
async function currentBehaviour(options: AlignOptions, def: JudgeFileDef, cases: readonly TraceCase[]): Promise<{ instructions: string; rate: Pick<RateOptions, 'contextFor'> }> {
  const embed = options.embed;
  const memories = new AlignmentMemories(options.workspaceDir, embed ? { embedder: async () => embed } : {});
  const prompts = new Map<string, JudgeMemoryPrompt>();
  for (const c of cases) {
    const prompt = await memories.promptFor(def, c.trace, c.scenario);
    if (prompt) prompts.set(c.trace.info.traceId, prompt);
  }
  const first = prompts.values().next().value;
  if (!first) return { instructions: def.instructions!, rate: {} };
  return { instructions: first.instructions, rate: { contextFor: (c) => prompts.get(c.trace.info.traceId)?.examples } };
}

function alignableDef(judge: JudgeEntry): JudgeFileDef {
  if (!judge.def || !judge.file || judge.kind !== 'llm' || !judge.def.instructions) {
    throw new AlignmentRefused(`judge ${judge.id} is ${judge.kind === 'agentic' ? 'agentic (its instructions use {{ trace }})' : `a ${judge.kind} judge`}; align works on LLM judges defined in a judge file`);
  }
  if (judge.inline) {
    throw new AlignmentRefused(`judge ${judge.id} is defined inline in costar.yaml; move it to judges/${judge.id}.judge.yaml so that align can propose a new version of that file`);
  }
  return judge.def;
}

function trainingExamples(options: AlignOptions, def: JudgeFileDef): TrainingExample[] {
  const byTrace = new Map(options.cases.map((c) => [c.trace.info.traceId, c]));
  return resolveLabels(options.labels).resolved.flatMap((r) => {
    const c = byTrace.get(r.traceId);
    if (!c || valueProblem(def.value, r.value)) return [];
    return [{ case: c, value: r.value, rationale: r.rationales.join(' | ') }];
  });
}

function summarize(unchanged: boolean, offered: boolean, before: KappaResult, after: KappaResult): string {
  const fmt = (r: KappaResult) => (r.kappa !== null ? `κ ${r.kappa.toFixed(3)}` : `accuracy ${((r.accuracy ?? 0) * 100).toFixed(1)} %`);
  if (unchanged) return `no change was found that agrees better with the training labels (held-out ${fmt(before)}); nothing is offered`;
  if (offered) return `held-out agreement rises from ${fmt(before)} to ${fmt(after)}: a new judge version is offered`;
  return `held-out agreement would go from ${fmt(before)} to ${fmt(after)}, which is no improvement: nothing is offered`;
}
