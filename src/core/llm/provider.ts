/**
 * The seam between the model client (retries, concurrency, cache, accounting: client.ts) and
 * whatever answers: an OpenAI-compatible endpoint (openaiProvider.ts), VS Code's Language
 * Model API (src/extension/llm), or the extension host on the harness's behalf
 * (hostProvider.ts). A provider sends one request per `send` call, so the client counts every
 * request, including the ones a fallback repeats.
 */
import type { Failure } from './retry';
import type { ChatReply, ChatRequest } from './types';

export type ProviderKind = 'openai-compatible' | 'vscode';

/** What one request brought back (the client adds time, request count and the cache flag). */
export type ProviderReply = Pick<ChatReply, 'content' | 'toolCalls' | 'finishReason' | 'model' | 'inputTokens' | 'outputTokens'>;

export interface ModelProvider {
  readonly kind: ProviderKind;
  /** Where answers come from (the endpoint URL; '' for the editor's models): part of the reply-cache key. */
  readonly endpoint: string;
  /** One request. Throws what `classify` understands. */
  send(model: string, request: ChatRequest, signal: AbortSignal | undefined): Promise<ProviderReply>;
  classify(error: unknown): Promise<Failure>;
  /**
   * After a failure that is not transient: change what this provider sends to `model` from
   * now on so that the request can succeed (e.g. drop a parameter the endpoint rejects).
   * Returns what changed, for the retry log; undefined when nothing can help.
   */
  adapt?(model: string, request: ChatRequest, failure: Failure): string | undefined;
}
