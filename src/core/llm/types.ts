/**
 * The one model client every judge, alignment and Refine use. Messages and tools are the
 * OpenAI chat-completions shapes; a provider (provider.ts) translates them for its endpoint:
 * any OpenAI-compatible URL, or, inside the editor, VS Code's Language Model API.
 */
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';

export type ChatMessage = ChatCompletionMessageParam;
export type ToolDefinition = ChatCompletionTool;

export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  /** Ask for JSON that follows this JSON Schema (OpenAI `response_format: json_schema`, strict). */
  responseFormat?: { name: string; schema: Record<string, unknown> };
  /** Overrides the client's model for this call (a judge file's `model:`). */
  model?: string;
  maxTokens?: number;
  temperature?: number;
}

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text, as the model wrote it. */
  arguments: string;
}

export interface ChatReply {
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: string;
  model: string;
  /** Tokens this call cost: zero when it came from the cache. */
  inputTokens: number;
  outputTokens: number;
  ms: number;
  cached: boolean;
  /** HTTP requests made for this reply (0 when cached). */
  requests: number;
}

/** What makes a cached reply valid besides the request itself. */
export interface CacheScope {
  judgeVersion: string;
  traceHash: string;
}

export interface ChatOptions {
  signal?: AbortSignal;
  /** Cache the reply under (request, judge version, trace hash). Without it nothing is cached. */
  cache?: CacheScope;
  /**
   * Rejects a reply as malformed by returning what is wrong: the call is retried (up to the
   * client's malformed-retry limit) and a rejected reply is never cached.
   */
  validate?: (reply: ChatReply) => string | undefined;
}

export interface ModelCallRecord {
  model: string;
  inputTokens: number;
  outputTokens: number;
  ms: number;
  cached: boolean;
  requests: number;
  ok: boolean;
}

export interface ModelUsage {
  /** Replies returned (cached or not). */
  calls: number;
  cachedCalls: number;
  /** HTTP requests sent, retries included. */
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

export interface ModelClient {
  /** The default model name. */
  readonly model: string;
  /** Where answers come from, for people and the reply-cache key: 'openai-compatible http://…/v1', 'vscode'. */
  readonly source: string;
  chat(request: ChatRequest, options?: ChatOptions): Promise<ChatReply>;
  /** Totals since the client was created. */
  usage(): ModelUsage;
}

/** 'refused': the provider won't answer this request (no such model, the user declined consent, a judge naming the editor's model outside the editor). */
export type ModelErrorKind = 'http' | 'unreachable' | 'timeout' | 'malformed' | 'aborted' | 'refused';

/** What a call cost before it failed: failed calls are paid for too, so verdicts count them. */
export interface SpentUsage {
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

/** A model call that failed for good (after retries). Its message never contains the API key. */
export class ModelError extends Error {
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly status?: number,
    readonly spent: SpentUsage = { requests: 0, inputTokens: 0, outputTokens: 0 },
  ) {
    super(message);
    this.name = 'ModelError';
  }
}
