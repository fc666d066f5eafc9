/**
 * An LLM judge: renders the instructions, asks the model for `{value, rationale}` as
 * structured output, and turns the value into an outcome with the judge's pass rule.
 * A reply that stays malformed after retries, or a model that can't be reached, gives an
 * 'error' verdict — never a pass or a fail.
 */
import { ModelError, type ModelClient } from '../llm/types';
import type { JudgeFileDef } from './judgeFile';
import { valuePasses } from './judgeFile';
import { renderTemplate, templateValues } from './template';
import type { JudgeContext, JudgeResult } from './types';
import { answerFormat, describeValueType } from './verdictFormat';

export const LLM_JUDGE_SYSTEM_PROMPT =
  'You are a careful evaluator of an AI agent\'s work. Judge only by the evidence given. ' +
  'Answer with a JSON object: {"value": ..., "rationale": "..."}. The rationale names the specific evidence that decided the value.';

export async function runLlmJudge(def: JudgeFileDef, ctx: JudgeContext, model: ModelClient, traceHash: string): Promise<JudgeResult> {
  const format = answerFormat(def.value, false);
  const prompt = renderTemplate(def.instructions ?? '', templateValues(ctx.trace, ctx.scenario, ctx.expectation));
  try {
    const reply = await model.chat(
      {
        messages: [
          { role: 'system', content: `${LLM_JUDGE_SYSTEM_PROMPT}\n${describeValueType(def.value)}.` },
          { role: 'user', content: prompt },
        ],
        responseFormat: { name: 'judge_verdict', schema: format.jsonSchema },
        temperature: 0,
        ...(def.model ? { model: def.model } : {}),
      },
      {
        signal: ctx.signal,
        cache: { judgeVersion: `${def.id}@${def.version}`, traceHash },
        validate: (r) => {
          const parsed = format.parse(r.content);
          return 'problem' in parsed ? parsed.problem : undefined;
        },
      },
    );
    const answer = format.parse(reply.content);
    if ('problem' in answer) throw new ModelError('malformed', answer.problem);
    const pass = valuePasses(def.value, def.pass, answer.value);
    return {
      outcome: pass ? 'passed' : 'failed',
      value: answer.value,
      rationale: answer.rationale,
      spanIds: [],
      cost: { inputTokens: reply.inputTokens, outputTokens: reply.outputTokens, modelCalls: reply.requests },
    };
  } catch (error) {
    return modelFailure(error, def);
  }
}

export function modelFailure(error: unknown, def: JudgeFileDef): JudgeResult {
  const message = error instanceof ModelError ? error.message : `judge ${def.id} failed: ${(error as Error)?.message ?? String(error)}`;
  return { outcome: 'error', value: null, rationale: message, error: message };
}

