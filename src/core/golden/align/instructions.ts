/**
 * GEPA-like reflective evolution of a judge's instructions.
 *
 *  1. The pool starts with the current instructions, scored on every training example.
 *  2. Each step picks a parent from the Pareto front (candidates no other candidate beats on
 *     every example; the least-tried first), shows a reflection model up to `minibatch` of the
 *     parent's mistakes with the experts' rationales, and asks for rewritten instructions.
 *  3. A child that keeps the template variables is scored on the training examples and joins
 *     the pool unless an existing candidate dominates it.
 *  4. When the model-call budget or the step limit runs out, the front is scored on the
 *     validation examples and the best one is chosen (the parent wins ties: change needs evidence).
 */
import { z } from 'zod';
import type { JudgeFileDef } from '../../judges/judgeFile';
import { TEMPLATE_VARIABLES } from '../../judges/template';
import type { ModelClient } from '../../llm/types';
import { keyOf, type RatedValue } from '../kappa';
import { exampleText, type TrainingExample } from './memory';
import { BudgetExhausted, type CallBudget } from './budget';
import { rateCases, scoreRatings, type Rating } from './rate';

export interface EvolveOptions {
  def: JudgeFileDef;
  train: readonly TrainingExample[];
  validation: readonly TrainingExample[];
  model: ModelClient;
  budget: CallBudget;
  order: readonly RatedValue[];
  maxSteps?: number;
  minibatch?: number;
}

export interface Candidate {
  instructions: string;
  /** Per training example (same order as `train`): did it agree with the expert? */
  correct: boolean[];
  parent?: number;
  tried: number;
}

export interface EvolveResult {
  chosen: Candidate;
  pool: Candidate[];
  steps: number;
  /** Why the search stopped. */
  stop: string;
}

export const REFLECT_SYSTEM_PROMPT =
  'You improve the instructions of an automated judge so that its verdicts agree with human experts. ' +
  'Read the cases where the judge disagreed with the experts and their reasons, then rewrite the instructions. ' +
  'Keep every template variable such as {{ inputs }} and {{ outputs }} exactly as written. Answer with JSON {"instructions": "..."}.';

const ReflectReply = z.object({ instructions: z.string().min(1) });
const REFLECT_SCHEMA = { type: 'object', properties: { instructions: { type: 'string' } }, required: ['instructions'], additionalProperties: false };

export async function evolveInstructions(options: EvolveOptions): Promise<EvolveResult> {
  const { def, train, model, budget } = options;
  const maxSteps = options.maxSteps ?? 8;
  const minibatch = options.minibatch ?? 4;
  const required = templateVariablesIn(def.instructions ?? '');
  const pool: Candidate[] = [];
  let stop = 'step limit reached';
  let steps = 0;
  try {
    pool.push({ instructions: def.instructions ?? '', correct: await correctness(options, def.instructions ?? ''), tried: 0 });
    for (; steps < maxSteps; steps++) {
      const front = paretoFront(pool);
      const parentIndex = front.sort((a, b) => pool[a]!.tried - pool[b]!.tried || a - b)[0]!;
      const parent = pool[parentIndex]!;
      parent.tried++;
      const mistakes = train.map((x, i) => ({ x, i })).filter(({ i }) => !parent.correct[i]);
      if (mistakes.length === 0) {
        stop = 'a candidate agrees with every training label';
        break;
      }
      const batch = rotate(mistakes, parent.tried - 1).slice(0, minibatch);
      const ratings = await rateCases(def, parent.instructions, batch.map((m) => m.x.case), { model, budget });
      const rewritten = await reflect(parent.instructions, batch.map((m) => m.x), ratings, model, budget);
      if (!rewritten || !required.every((v) => normalizeVariables(rewritten).includes(v))) continue;
      if (pool.some((c) => c.instructions === rewritten)) continue;
      const child: Candidate = { instructions: rewritten, correct: await correctness(options, rewritten), parent: parentIndex, tried: 0 };
      if (!pool.some((c) => dominates(c.correct, child.correct) || sameScores(c.correct, child.correct))) pool.push(child);
    }
  } catch (error) {
    if (!(error instanceof BudgetExhausted)) throw error;
    stop = error.message;
  }
  if (pool.length === 0) throw new BudgetExhausted(`the model-call budget of ${budget.limit} does not cover scoring the current instructions on ${train.length} training examples`);
  const chosen = await pickByValidation(options, pool);
  return { chosen, pool, steps, stop };
}

async function correctness(options: EvolveOptions, instructions: string): Promise<boolean[]> {
  const ratings = await rateCases(options.def, instructions, options.train.map((x) => x.case), { model: options.model, budget: options.budget });
  return options.train.map((x) => keyOf(ratings.get(x.case.trace.info.traceId)?.value ?? '') === keyOf(x.value));
}

async function reflect(instructions: string, mistakes: readonly TrainingExample[], ratings: ReadonlyMap<string, Rating>, model: ModelClient, budget: CallBudget): Promise<string | undefined> {
  budget.reserve();
  const prompt = [
    `Current instructions:\n<<<\n${instructions}\n>>>`,
    'Cases where the judge disagreed with the experts:',
    ...mistakes.map((x) => {
      const r = ratings.get(x.case.trace.info.traceId);
      return `${exampleText(x.case)}\nJudge verdict: ${r?.value === undefined ? '(no valid answer)' : JSON.stringify(r.value)} — ${r?.rationale ?? ''}\nExpert verdict: ${JSON.stringify(x.value)} — ${x.rationale || '(no rationale)'}`;
    }),
    'Write improved instructions.',
  ].join('\n\n');
  const reply = await model.chat(
    { messages: [{ role: 'system', content: REFLECT_SYSTEM_PROMPT }, { role: 'user', content: prompt }], responseFormat: { name: 'judge_instructions', schema: REFLECT_SCHEMA }, temperature: 0.7 },
    { ...(budget.signal ? { signal: budget.signal } : {}), validate: (r) => (ReflectReply.safeParse(safeJson(r.content)).success ? undefined : 'expected {"instructions": "..."}') },
  );
  budget.settle(reply.requests);
  const parsed = ReflectReply.safeParse(safeJson(reply.content));
  return parsed.success ? parsed.data.instructions.trimEnd() + '\n' : undefined;
}

/** Indices of candidates that no other candidate dominates. */
export function paretoFront(pool: readonly Pick<Candidate, 'correct'>[]): number[] {
  return pool.map((_, i) => i).filter((i) => !pool.some((other, j) => j !== i && dominates(other.correct, pool[i]!.correct)));
}

/** a dominates b: right wherever b is right, and right somewhere b is wrong. */
export function dominates(a: readonly boolean[], b: readonly boolean[]): boolean {
  return a.every((x, i) => x || !b[i]) && a.some((x, i) => x && !b[i]);
}

function sameScores(a: readonly boolean[], b: readonly boolean[]): boolean {
  return a.every((x, i) => x === b[i]);
}

async function pickByValidation(options: EvolveOptions, pool: Candidate[]): Promise<Candidate> {
  const front = paretoFront(pool);
  if (front.length === 1 || options.validation.length === 0) return pool[front[0]!]!;
  const human = new Map(options.validation.map((x) => [x.case.trace.info.traceId, x.value]));
  let best: { candidate: Candidate; score: number } | undefined;
  for (const index of front.sort((a, b) => a - b)) {
    const candidate = pool[index]!;
    let ratings: Map<string, Rating>;
    try {
      ratings = await rateCases(options.def, candidate.instructions, options.validation.map((x) => x.case), { model: options.model, budget: options.budget });
    } catch (error) {
      if (error instanceof BudgetExhausted) break;
      throw error;
    }
    const result = scoreRatings(human, ratings, options.order);
    const score = result.kappa ?? (result.accuracy ?? 0) - 1; // κ when defined; otherwise accuracy, below any κ
    if (!best || score > best.score + 1e-9) best = { candidate, score };
  }
  return best?.candidate ?? pool[0]!;
}

function templateVariablesIn(text: string): string[] {
  return TEMPLATE_VARIABLES.map((v) => `{{ ${v} }}`).filter((v) => normalizeVariables(text).includes(v));
}

function normalizeVariables(text: string): string {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, '{{ $1 }}');
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const n = items.length;
  return n === 0 ? [] : [...items.slice(by % n), ...items.slice(0, by % n)];
}

function safeJson(text: string | null): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
