/**
 * The editor's models (VS Code Language Model API: Copilot or any extension's chat model
 * provider) as a model provider for the engine's client (src/core/llm/provider.ts). No API
 * key: VS Code asks the user for consent the first time coSTAR sends a request, with the
 * justification below. The LM API has no response_format, so the schema goes in the prompt
 * (one implementation: core/llm/structuredOutput.ts); there is no system role either, so
 * system messages are sent as user messages, first.
 */
import type * as vscodeTypes from 'vscode';
import type { ModelProvider, ProviderReply } from '../../core/llm/provider';
import type { Failure } from '../../core/llm/retry';
import { withSchemaInPrompt } from '../../core/llm/structuredOutput';
import type { ChatMessage, ChatRequest, ToolCall } from '../../core/llm/types';
import type { VSCode } from '../vscodeApi';

export const LM_JUSTIFICATION = "coSTAR's judges and Refine send the scenario's trace excerpts, verdicts and the agent's source to this model to assess and fix the agent under test.";

/** Raised for what no retry fixes: no matching model, consent declined. */
class RefusedError extends Error {}

export class VsCodeLmProvider implements ModelProvider {
  readonly kind = 'vscode' as const;
  readonly endpoint = '';

  constructor(private readonly vscode: VSCode) {}

  /** The editor's model `selector` names: 'vendor/id', an id or a family; '' = the first one available. */
  async select(selector: string): Promise<vscodeTypes.LanguageModelChat> {
    const { lm } = this.vscode;
    const slash = selector.indexOf('/');
    const candidates =
      selector === '' ? await lm.selectChatModels()
      : slash > 0 ? await lm.selectChatModels({ vendor: selector.slice(0, slash), id: selector.slice(slash + 1) })
      : [...(await lm.selectChatModels({ id: selector })), ...(await lm.selectChatModels({ family: selector }))];
    const chat = candidates[0];
    if (chat) return chat;
    const available = (await lm.selectChatModels()).map((m) => `${m.vendor}/${m.id}`);
    throw new RefusedError(
      `no VS Code language model matches "${selector || 'any'}"${available.length ? ` (available: ${available.join(', ')})` : ' (none is installed: add a chat model provider such as GitHub Copilot)'}; run "coSTAR: Select Model"`,
    );
  }

  async send(model: string, request: ChatRequest, signal: AbortSignal | undefined): Promise<ProviderReply> {
    const { vscode } = this;
    const chat = await this.select(model);
    const messages = toLmMessages(vscode, request.responseFormat ? withSchemaInPrompt(request.messages, request.responseFormat) : request.messages);
    const cancel = new vscode.CancellationTokenSource();
    const onAbort = () => cancel.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const options: vscodeTypes.LanguageModelChatRequestOptions = { justification: LM_JUSTIFICATION };
      const tools = (request.tools ?? []).flatMap((t) => (t.type === 'function' ? [{ name: t.function.name, description: t.function.description ?? '', inputSchema: t.function.parameters ?? { type: 'object' } }] : []));
      if (tools.length > 0) {
        options.tools = tools;
        options.toolMode = vscode.LanguageModelChatToolMode.Auto;
      }
      const response = await chat.sendRequest(messages, options, cancel.token);
      let text = '';
      const toolCalls: ToolCall[] = [];
      for await (const part of response.stream) {
        if (part instanceof vscode.LanguageModelTextPart) text += part.value;
        else if (part instanceof vscode.LanguageModelToolCallPart) toolCalls.push({ id: part.callId, name: part.name, arguments: JSON.stringify(part.input ?? {}) });
      }
      // The LM API reports no usage: count with the model's own tokenizer.
      let inputTokens = 0;
      for (const message of messages) inputTokens += await chat.countTokens(message, cancel.token);
      const written = text + toolCalls.map((c) => c.name + c.arguments).join('');
      const outputTokens = written ? await chat.countTokens(written, cancel.token) : 0;
      return {
        content: text === '' && toolCalls.length > 0 ? null : text,
        toolCalls,
        finishReason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
        model: `${chat.vendor}/${chat.id}`,
        inputTokens,
        outputTokens,
      };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      cancel.dispose();
    }
  }

  async classify(error: unknown): Promise<Failure> {
    const { vscode } = this;
    if (error instanceof vscode.CancellationError) return { kind: 'aborted' };
    if (error instanceof RefusedError) return { kind: 'refused', message: error.message };
    if (error instanceof vscode.LanguageModelError) {
      const code = error.code;
      if (code === vscode.LanguageModelError.NoPermissions().code) return { kind: 'refused', message: `the editor's model may not be used: ${error.message} (allow coSTAR to use it when VS Code asks, or pick another with "coSTAR: Select Model")` };
      if (code === vscode.LanguageModelError.NotFound().code) return { kind: 'refused', message: `the editor's model is gone: ${error.message}; run "coSTAR: Select Model"` };
      // Blocked: a quota or rate limit of the provider; it lifts, so it is retried like a 429.
      if (code === vscode.LanguageModelError.Blocked().code) return { kind: 'http', status: 429, message: `the editor's model is rate-limited: ${error.message}`, transient: true };
      return { kind: 'unreachable', message: `the editor's model failed (${code}): ${error.message}` };
    }
    return { kind: 'unreachable', message: `the editor's model failed: ${(error as Error)?.message ?? String(error)}` };
  }
}

/** OpenAI chat messages as LM API messages. */
export function toLmMessages(vscode: VSCode, messages: readonly ChatMessage[]): vscodeTypes.LanguageModelChatMessage[] {
  const { LanguageModelChatMessage, LanguageModelTextPart, LanguageModelToolCallPart, LanguageModelToolResultPart } = vscode;
  return messages.flatMap((message): vscodeTypes.LanguageModelChatMessage[] => {
    switch (message.role) {
      case 'assistant': {
        const parts: (vscodeTypes.LanguageModelTextPart | vscodeTypes.LanguageModelToolCallPart)[] = [];
        const text = textOf(message.content);
        if (text) parts.push(new LanguageModelTextPart(text));
        for (const call of message.tool_calls ?? []) {
          if (call.type === 'function') parts.push(new LanguageModelToolCallPart(call.id, call.function.name, parseArguments(call.function.arguments)));
        }
        return parts.length > 0 ? [LanguageModelChatMessage.Assistant(parts)] : [];
      }
      case 'tool':
        return [LanguageModelChatMessage.User([new LanguageModelToolResultPart(message.tool_call_id, [new LanguageModelTextPart(textOf(message.content))])])];
      default:
        return [LanguageModelChatMessage.User(textOf(message.content))];
    }
  });
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part: { type?: string; text?: string }) => (part.type === 'text' ? (part.text ?? '') : '')).join('');
  return '';
}

function parseArguments(text: string): object {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? value : { value };
  } catch {
    return { arguments: text };
  }
}
