/**
 * The refine assistant: a bounded tool-calling loop. The model reads the failing verdicts
 * (context.ts), explores the agent's source with the confined tools (tools.ts) and proposes
 * edits; when it stops calling tools its message is the summary. Bounds: a step cap (model
 * calls), a token budget for the whole session, and a context size beyond which the oldest
 * tool results are pruned. The loop never writes a file: it returns a change set.
 */
import { pruneOldToolResults } from '../judges/agentic/agenticJudge';
import type { ChatMessage, ModelClient } from '../llm/types';
import type { ChangeSet } from './changeSet';
import type { SourceFolders } from './confinement';
import { contextHash, renderContext, type RefineContext } from './context';
import { RefineToolbox, refineToolDefinitions } from './tools';

const TOOL_RESULT_CAP = 24_000;

export const REFINE_SYSTEM_PROMPT =
  "You are a coding assistant improving an AI agent. The agent is your codebase and its judges are your test suite: " +
  'you are given scenarios that failed, with the judges\' rationales. Find the cause in the agent\'s source ' +
  '(list_files, read_file, search), then fix it with propose_edit — the smallest change that makes the failing ' +
  'scenarios pass without breaking others. Copy search texts exactly from read_file. Explain each edit for the ' +
  'developer who reviews it. When you are done, stop calling tools and reply with a short summary of the change.';

export interface RefineBudget {
  maxSteps: number;
  maxTokens: number;
  contextTokens: number;
}

export const DEFAULT_REFINE_BUDGET: RefineBudget = { maxSteps: 24, maxTokens: 400_000, contextTokens: 60_000 };

export type RefineStopReason = 'done' | 'step-limit' | 'token-limit';

export interface RefineStep {
  step: number;
  toolCalls: { name: string; arguments: string; error?: string }[];
}

export interface RefineLoopOptions {
  model: ModelClient;
  context: RefineContext;
  sources: SourceFolders;
  budget?: Partial<RefineBudget>;
  /** Said after the context: e.g. the hunks the developer rejected in the previous round. */
  feedback?: string;
  signal?: AbortSignal;
  onStep?(step: RefineStep): void;
}

export interface RefineResult {
  changeSet: ChangeSet;
  stopReason: RefineStopReason;
  steps: number;
  usage: { inputTokens: number; outputTokens: number };
  /** sha256 of the starting prompt (system + context). */
  contextHash: string;
  model: string;
}

export async function runRefineLoop(options: RefineLoopOptions): Promise<RefineResult> {
  const budget = { ...DEFAULT_REFINE_BUDGET, ...options.budget };
  const toolbox = new RefineToolbox(options.sources);
  const tools = refineToolDefinitions();
  const user = options.feedback ? `${renderContext(options.context)}\n\n${options.feedback}` : renderContext(options.context);
  const messages: ChatMessage[] = [
    { role: 'system', content: REFINE_SYSTEM_PROMPT },
    { role: 'user', content: user },
  ];
  const usage = { inputTokens: 0, outputTokens: 0 };
  const finish = (stopReason: RefineStopReason, steps: number, summary: string): RefineResult => ({
    changeSet: toolbox.changeSet(summary),
    stopReason,
    steps,
    usage,
    contextHash: contextHash(REFINE_SYSTEM_PROMPT, user),
    model: options.model.model,
  });

  for (let step = 1; step <= budget.maxSteps; step++) {
    if (usage.inputTokens + usage.outputTokens >= budget.maxTokens) {
      return finish('token-limit', step - 1, `stopped: the token budget (${budget.maxTokens}) was used up after ${step - 1} steps`);
    }
    pruneOldToolResults(messages, budget.contextTokens);
    const reply = await options.model.chat({ messages, tools, temperature: 0 }, options.signal ? { signal: options.signal } : {});
    usage.inputTokens += reply.inputTokens;
    usage.outputTokens += reply.outputTokens;
    if (reply.toolCalls.length === 0) return finish('done', step, reply.content?.trim() ?? '');

    messages.push({
      role: 'assistant',
      content: reply.content,
      tool_calls: reply.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
    });
    const record: RefineStep = { step, toolCalls: [] };
    for (const call of reply.toolCalls) {
      const answer = await toolbox.call(call.name, call.arguments);
      const error = typeof answer === 'object' && answer !== null && 'error' in answer ? String((answer as { error: unknown }).error) : undefined;
      record.toolCalls.push({ name: call.name, arguments: call.arguments, ...(error ? { error } : {}) });
      const text = JSON.stringify(answer);
      messages.push({ role: 'tool', tool_call_id: call.id, content: text.length > TOOL_RESULT_CAP ? `${text.slice(0, TOOL_RESULT_CAP)}… [truncated: read with an offset]` : text });
    }
    options.onStep?.(record);
  }
  return finish('step-limit', budget.maxSteps, `stopped: the step limit (${budget.maxSteps}) was reached before the assistant finished`);
}
