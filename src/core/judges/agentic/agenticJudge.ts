/**
 * An agentic judge: a bounded tool-calling loop over the trace tools. The model reads the
 * judge's instructions (with `{{ trace }}` pointing at the tools), calls tools until it can
 * answer, then answers `{value, rationale, spanIds}`. Bounds: a step cap (model calls), a
 * token budget for the whole session, and a context size beyond which the oldest tool
 * results are pruned. Every step goes through the model cache, so re-scoring an unchanged
 * trace replays the session at zero cost.
 */
import { ModelError, type ChatMessage, type ModelClient } from '../../llm/types';
import { valuePasses, type JudgeFileDef } from '../judgeFile';
import { modelFailure } from '../llmJudge';
import { renderTemplate, templateValues } from '../template';
import type { JudgeContext, JudgeResult } from '../types';
import { answerFormat, describeValueType } from '../verdictFormat';
import { TraceToolbox, traceToolDefinitions } from './traceTools';

/** One tool answer is capped so that a single call can't flood the context. */
const TOOL_RESULT_CAP = 12_000;
const MALFORMED_ANSWERS_ALLOWED = 2;

export const AGENTIC_SYSTEM_PROMPT =
  "You are a careful evaluator of an AI agent's run. You cannot see the trace directly: inspect it with the tools " +
  '(start with get_trace_info or get_root_span, page through list_spans, use search_trace_regex to find evidence, ' +
  'get_span for details, the timing report for performance questions, list_artifacts/read_artifact for files). ' +
  'When you have enough evidence, stop calling tools and answer with a JSON object {"value": ..., "rationale": "...", "spanIds": [...]}: ' +
  'the rationale names the evidence, spanIds lists the ids of the spans it relies on.';

export interface AgenticBudget {
  maxSteps: number;
  maxTokens: number;
  contextTokens: number;
}

/** Rough token count of a prompt (≈ 4 characters per token): good enough to bound context. */
export function estimateTokens(messages: readonly ChatMessage[]): number {
  return Math.ceil(JSON.stringify(messages).length / 4);
}

/**
 * Replaces the content of the oldest tool results with a short note until the prompt fits.
 * The latest batch of tool results is kept: the model is about to read it.
 */
export function pruneOldToolResults(messages: ChatMessage[], contextTokens: number): number {
  let pruned = 0;
  const lastAssistant = messages.map((m) => m.role).lastIndexOf('assistant');
  for (let i = 0; i < lastAssistant && estimateTokens(messages) > contextTokens; i++) {
    const message = messages[i]!;
    if (message.role === 'tool' && !String(message.content).startsWith('[pruned')) {
      messages[i] = { ...message, content: '[pruned to save context; call the tool again if you need this result]' };
      pruned++;
    }
  }
  return pruned;
}

export async function runAgenticJudge(def: JudgeFileDef, ctx: JudgeContext, model: ModelClient, traceHash: string): Promise<JudgeResult> {
  const budget: AgenticBudget = { maxSteps: def.maxSteps, maxTokens: def.maxTokens, contextTokens: def.contextTokens };
  const format = answerFormat(def.value, true);
  const toolbox = new TraceToolbox(ctx.trace, ctx.sandboxDir);
  const tools = traceToolDefinitions();
  const messages: ChatMessage[] = [
    { role: 'system', content: `${AGENTIC_SYSTEM_PROMPT}\n${describeValueType(def.value)}.` },
    { role: 'user', content: renderTemplate(def.instructions ?? '', templateValues(ctx.trace, ctx.scenario, ctx.expectation)) },
  ];
  const cost = { inputTokens: 0, outputTokens: 0, modelCalls: 0 };
  let malformedLeft = MALFORMED_ANSWERS_ALLOWED;
  const withCost = (result: JudgeResult): JudgeResult => ({ ...result, cost });

  try {
    for (let step = 1; step <= budget.maxSteps; step++) {
      if (cost.inputTokens + cost.outputTokens >= budget.maxTokens) {
        return withCost(failure(`the agentic judge used its token budget (${budget.maxTokens}) after ${step - 1} steps without answering; raise maxTokens in ${def.id}'s judge file or narrow its instructions`));
      }
      pruneOldToolResults(messages, budget.contextTokens);
      const reply = await model.chat(
        { messages, tools, responseFormat: { name: 'judge_verdict', schema: format.jsonSchema }, temperature: 0, ...(def.model ? { model: def.model } : {}) },
        { signal: ctx.signal, cache: { judgeVersion: `${def.id}@${def.version}`, traceHash } },
      );
      cost.inputTokens += reply.inputTokens;
      cost.outputTokens += reply.outputTokens;
      cost.modelCalls += reply.requests;

      if (reply.toolCalls.length > 0) {
        messages.push({
          role: 'assistant',
          content: reply.content,
          tool_calls: reply.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
        });
        for (const call of reply.toolCalls) {
          const answer = JSON.stringify(await toolbox.call(call.name, call.arguments));
          const content = answer.length > TOOL_RESULT_CAP ? `${answer.slice(0, TOOL_RESULT_CAP)}… [truncated: ask for a smaller page]` : answer;
          messages.push({ role: 'tool', tool_call_id: call.id, content });
        }
        continue;
      }

      const answer = format.parse(reply.content);
      if ('problem' in answer) {
        if (malformedLeft-- <= 0) throw new ModelError('malformed', `the judge's final answer was malformed ${MALFORMED_ANSWERS_ALLOWED + 1} times; last problem: ${answer.problem}`);
        messages.push({ role: 'assistant', content: reply.content ?? '' });
        messages.push({ role: 'user', content: `That answer is not valid: ${answer.problem}. Answer again with only the JSON object.` });
        continue;
      }
      const known = answer.spanIds.filter((id) => ctx.trace.spans.some((s) => s.spanId === id));
      return withCost({ outcome: valuePasses(def.value, def.pass, answer.value) ? 'passed' : 'failed', value: answer.value, rationale: answer.rationale, spanIds: known });
    }
    return withCost(failure(`the agentic judge reached its step cap (${budget.maxSteps}) without answering; raise maxSteps in ${def.id}'s judge file or narrow its instructions`));
  } catch (error) {
    // The failed step's requests are added to the steps before it.
    const failed = modelFailure(error, def);
    cost.inputTokens += failed.cost?.inputTokens ?? 0;
    cost.outputTokens += failed.cost?.outputTokens ?? 0;
    cost.modelCalls += failed.cost?.modelCalls ?? 0;
    return withCost(failed);
  }
}

function failure(message: string): JudgeResult {
  return { outcome: 'error', value: null, rationale: message, error: message };
}
