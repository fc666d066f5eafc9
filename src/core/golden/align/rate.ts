/**
 * Asks the model for a judge's value on labelled traces with candidate instructions — the
 * same messages and answer format as a real LLM judge run (llmJudge.ts), so what alignment
 * measures is what the judge will do — optionally followed by extra context (retrieved
 * examples). Replies are cached per (instructions, trace), so trying a candidate twice is free.
 */
import { createHash } from 'node:crypto';
import type { JudgeFileDef } from '../../judges/judgeFile';
import { llmJudgePrompt, llmJudgeRequest } from '../../judges/llmJudge';
import { templateValues } from '../../judges/template';
import { answerFormat } from '../../judges/verdictFormat';
import { mapLimited } from '../../util/limiter';
import type { ModelClient } from '../../llm/types';
import { traceContentHash } from '../../trace/hash';
import { cohensKappa, type KappaResult, type RatedValue } from '../kappa';
import type { TraceCase } from '../traceCase';
import type { CallBudget } from './budget';

export interface Rating {
  /** Undefined when the model gave no valid answer: it then counts as a disagreement. */
  value?: RatedValue;
  rationale: string;
}

export interface RateOptions {
  model: ModelClient;
  budget: CallBudget;
  /** Extra text after the rendered instructions, per case (retrieved examples). */
  contextFor?: (c: TraceCase) => string | undefined;
  signal?: AbortSignal;
}

/** Never equal to a real value: an unanswered case disagrees with every label. */
const NO_ANSWER = '(no valid answer)';

export async function rateCases(def: JudgeFileDef, instructions: string, cases: readonly TraceCase[], options: RateOptions): Promise<Map<string, Rating>> {
  const format = answerFormat(def.value, false);
  const version = `${def.id}@align-${createHash('sha256').update(instructions).digest('hex').slice(0, 16)}`;
  const ratings = new Map<string, Rating>();
  const signal = options.signal ?? options.budget.signal;
  await mapLimited([...cases], 4, async (c) => {
    options.budget.reserve();
    const context = options.contextFor?.(c);
    const prompt = llmJudgePrompt(instructions, templateValues(c.trace, c.scenario, c.expectation), context);
    try {
      const reply = await options.model.chat(
        llmJudgeRequest(def, prompt),
        {
          ...(signal ? { signal } : {}),
          cache: { judgeVersion: context ? `${version}-${createHash('sha256').update(context).digest('hex').slice(0, 16)}` : version, traceHash: traceContentHash(c.trace) },
          validate: (r) => {
            const parsed = format.parse(r.content);
            return 'problem' in parsed ? parsed.problem : undefined;
          },
        },
      );
      options.budget.settle(reply.requests);
      const answer = format.parse(reply.content);
      ratings.set(c.trace.info.traceId, 'problem' in answer ? { rationale: answer.problem } : { value: answer.value as RatedValue, rationale: answer.rationale });
    } catch (error) {
      ratings.set(c.trace.info.traceId, { rationale: (error as Error).message });
    }
  });
  // A call cut short by cancelling is no rating: don't let it pass for a disagreement.
  options.budget.checkCancelled();
  return ratings;
}

/** κ of the ratings against the human values of the same traces. */
export function scoreRatings(human: ReadonlyMap<string, RatedValue>, ratings: ReadonlyMap<string, Rating>, order: readonly RatedValue[]): KappaResult {
  const pairs: [RatedValue, RatedValue][] = [];
  for (const [traceId, value] of human) {
    const rating = ratings.get(traceId);
    if (rating) pairs.push([value, rating.value ?? NO_ANSWER]);
  }
  return cohensKappa(pairs, order);
}

/** Whether `after` is strictly better than `before`: by κ when both have one, else by accuracy. */
export function improves(before: KappaResult, after: KappaResult): boolean {
  if (before.kappa !== null && after.kappa !== null) return after.kappa > before.kappa + 1e-9;
  return (after.accuracy ?? 0) > (before.accuracy ?? 0) + 1e-9;
}
