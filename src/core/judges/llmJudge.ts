/**
 * An LLM judge: renders the instructions, asks the model for `{value, rationale}` as
 * structured output, and turns the value into an outcome with the judge's pass rule.
 * A reply that stays malformed after retries, or a model that can't be reached, gives an
 * 'error' verdict — never a pass or a fail.
 */
import { ModelError, type ChatRequest, type ModelClient } from '../llm/types';
import type { JudgeFileDef } from './judgeFile';
import { valuePasses } from './judgeFile';
import { renderTemplate, templateValues, type TemplateValues } from './template';
import type { JudgeContext, JudgeResult } from './types';
import { answerFormat, describeValueType } from './verdictFormat';

export const LLM_JUDGE_SYSTEM_PROMPT =
  'You are a careful evaluator of an AI agent\'s work. Judge only by the evidence given. ' +
  'Answer with a JSON object: {"value": ..., "rationale": "..."}. The rationale names the specific evidence that decided the value.';

/**
 * What an aligned judge's memory (golden/<judge>.memory.json) changes in its prompt; built by
 * AlignmentMemories in src/core/golden/align/judgeTimeMemory.ts.
 */
export interface JudgeMemoryPrompt {
  /** The judge's instructions with guidelines whose source labels are all gone left out. */
  instructions: string;
  /** Similar labelled examples, placed after the rendered instructions. */
  examples?: string;
  /** Identifies the memory state: part of the reply-cache scope, so a changed memory is never answered from the cache. */
  fingerprint: string;
}

/** The user message of an LLM judge; `align` builds the very same text, so what it measures is what runs do. */
export function llmJudgePrompt(instructions: string, values: TemplateValues, examples?: string): string {
  const prompt = renderTemplate(instructions, values);
  return examples ? `${prompt}\n\n${examples}` : prompt;
}

/** The chat request of an LLM judge for a prompt (system message, answer format, temperature 0). */
export function llmJudgeRequest(def: JudgeFileDef, prompt: string): ChatRequest {
  return {
    messages: [
      { role: 'system', content: `${LLM_JUDGE_SYSTEM_PROMPT}\n${describeValueType(def.value)}.` },
      { role: 'user', content: prompt },
    ],
    responseFormat: { name: 'judge_verdict', schema: answerFormat(def.value, false).jsonSchema },
    temperature: 0,
    ...(def.model ? { model: def.model } : {}),
  };
}

export async function runLlmJudge(def: JudgeFileDef, ctx: JudgeContext, model: ModelClient, traceHash: string, memory?: JudgeMemoryPrompt): Promise<JudgeResult> {
  const format = answerFormat(def.value, false);
  const prompt = llmJudgePrompt(memory?.instructions ?? def.instructions ?? '', templateValues(ctx.trace, ctx.scenario, ctx.expectation), memory?.examples);
  try {
    const reply = await model.chat(llmJudgeRequest(def, prompt), {
      signal: ctx.signal,
      cache: { judgeVersion: `${def.id}@${def.version}${memory ? `+memory-${memory.fingerprint}` : ''}`, traceHash },
      validate: (r) => {
        const parsed = format.parse(r.content);
        return 'problem' in parsed ? parsed.problem : undefined;
      },
    });
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

/** An error verdict that still counts what the failed call cost: every request is paid for. */
export function modelFailure(error: unknown, def: JudgeFileDef): JudgeResult {
  const message = error instanceof ModelError ? error.message : `judge ${def.id} failed: ${(error as Error)?.message ?? String(error)}`;
  const result: JudgeResult = { outcome: 'error', value: null, rationale: message, error: message };
  if (error instanceof ModelError) result.cost = { inputTokens: error.spent.inputTokens, outputTokens: error.spent.outputTokens, modelCalls: error.spent.requests };
  return result;
}
