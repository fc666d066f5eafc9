/**
 * The model client over a provider (provider.ts). It owns what every caller would otherwise
 * get wrong: retries with backoff that honour Retry-After, a concurrency limit, the
 * provider's fallbacks for endpoint quirks, malformed-reply retries that tell the model what
 * was wrong, JSON pulled out of fenced or prefaced answers, token/latency accounting of every
 * request (also of calls that fail) and the reply cache.
 */
import { cacheKey, ReplyCache, type CachedReply } from './cache';
import { Limiter } from '../util/limiter';
import { otherProviderHint, parseModelRef } from './modelRef';
import { OpenAIProvider, type OpenAIProviderOptions } from './openaiProvider';
import type { ModelProvider, ProviderReply } from './provider';
import { DEFAULT_RETRY, delayBeforeRetry, isTransient, sleep, type Failure, type RetryPolicy } from './retry';
import { extractJson } from './structuredOutput';
import { ModelError, type ChatMessage, type ChatOptions, type ChatReply, type ChatRequest, type ModelCallRecord, type ModelClient, type ModelUsage } from './types';
import { redactUrlCredentials } from '../util/redact';

export interface ClientOptions {
  model: string;
  maxConcurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** Retries of a reply that `validate` rejected (default 2). */
  maxMalformedRetries?: number;
  /** Where replies are cached (`<workspace>/.costar/cache/llm`); no caching without it. */
  cacheDir?: string;
  /** Don't read the cache (replies are still written, so the next run can use them). */
  noCache?: boolean;
  onCall?: (record: ModelCallRecord) => void;
  /** Called before each retry; lets tests and logs see why and how long. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export type ModelClientOptions = ClientOptions & OpenAIProviderOptions;

/** More than the quirk lists have steps (response format 2, token limit 2, temperature 1). */
const MAX_FALLBACKS = 6;

/** Finish reasons of replies that are not answers: never cached. */
const NOT_AN_ANSWER = new Set(['error', 'content_filter']);

export class ProviderModelClient implements ModelClient {
  readonly model: string;
  readonly source: string;
  private readonly limiter: Limiter;
  private readonly retry: RetryPolicy;
  private readonly cache: ReplyCache | undefined;
  private readonly totals: ModelUsage = { calls: 0, cachedCalls: 0, requests: 0, inputTokens: 0, outputTokens: 0 };

  constructor(
    readonly provider: ModelProvider,
    private readonly options: ClientOptions,
  ) {
    this.model = options.model;
    this.source = provider.endpoint ? `${provider.kind} ${redactUrlCredentials(provider.endpoint)}` : provider.kind;
    this.limiter = new Limiter(options.maxConcurrency ?? 4);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.cache = options.cacheDir ? new ReplyCache(options.cacheDir) : undefined;
  }

  usage(): ModelUsage {
    return { ...this.totals };
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatReply> {
    const ref = request.model ? parseModelRef(request.model) : undefined;
    if (ref?.provider && ref.provider !== this.provider.kind) throw new ModelError('refused', otherProviderHint(request.model!, ref.provider, this.provider.kind));
    const model = ref?.model || this.model;
    const key = this.cache && options.cache ? cacheKey({ provider: this.provider.kind, endpoint: this.provider.endpoint, model }, request, options.cache) : undefined;
    if (key && !this.options.noCache) {
      const hit = await this.cache!.get(key);
      if (hit) {
        const reply: ChatReply = { ...hit, inputTokens: 0, outputTokens: 0, ms: 0, cached: true, requests: 0 };
        // An entry written by an older, laxer validator is ignored rather than trusted.
        if (!options.validate?.(reply)) {
          this.record({ model, inputTokens: 0, outputTokens: 0, ms: 0, cached: true, requests: 0, ok: true });
          return reply;
        }
      }
    }

    const started = performance.now();
    const spent = { requests: 0, inputTokens: 0, outputTokens: 0 };
    const fail: (kind: ModelError['kind'], message: string, status?: number) => never = (kind, message, status) => {
      this.record({ model, ...spent, ms: performance.now() - started, cached: false, ok: false });
      throw new ModelError(kind, message, status, { ...spent });
    };
    let messages: ChatMessage[] = request.messages;
    let malformedLeft = this.options.maxMalformedRetries ?? 2;
    let retriesLeft = this.retry.maxRetries;
    // Each fallback steps one setting down a short list; the bound guards against a provider that never converges.
    let fallbacksLeft = MAX_FALLBACKS;
    let retry = 0;
    for (;;) {
      let failure: Failure;
      try {
        spent.requests++;
        const sent = messages === request.messages ? request : { ...request, messages };
        const reply = normalized(await this.limiter.run(() => this.provider.send(model, sent, options.signal)), request);
        spent.inputTokens += reply.inputTokens;
        spent.outputTokens += reply.outputTokens;
        const full: ChatReply = { ...reply, ...spent, ms: performance.now() - started, cached: false };
        const problem = options.validate?.(full);
        if (!problem) {
          this.record({ model, ...spent, ms: full.ms, cached: false, ok: true });
          if (key && isAnswer(full)) await this.cache!.put(key, cachedForm(full));
          return full;
        }
        if (malformedLeft-- <= 0) fail('malformed', `the model's reply was malformed ${spent.requests} times; last problem: ${problem}`);
        this.options.onRetry?.({ attempt: spent.requests, delayMs: 0, reason: `malformed reply: ${problem}` });
        // Asking the very same question again mostly gets the same answer: say what was wrong.
        messages = [...messages, { role: 'assistant', content: reply.content ?? '' }, { role: 'user', content: correction(problem, request) }];
        continue;
      } catch (error) {
        if (error instanceof ModelError) throw error;
        failure = await this.provider.classify(error);
      }
      if (failure.kind === 'aborted' || options.signal?.aborted) fail('aborted', 'the model call was cancelled');
      if (!isTransient(failure) && fallbacksLeft-- > 0) {
        const change = this.provider.adapt?.(model, request, failure);
        if (change) {
          this.options.onRetry?.({ attempt: spent.requests, delayMs: 0, reason: change });
          continue;
        }
      }
      if (!isTransient(failure) || retriesLeft-- <= 0) {
        const tries = spent.requests > 1 ? ` (after ${spent.requests} attempts)` : '';
        fail(failure.kind, `${failure.message}${tries}`, failure.kind === 'http' ? failure.status : undefined);
      }
      const delayMs = delayBeforeRetry(this.retry, retry++, failure);
      this.options.onRetry?.({ attempt: spent.requests, delayMs, reason: failure.message });
      try {
        await sleep(delayMs, options.signal);
      } catch {
        fail('aborted', 'the model call was cancelled');
      }
    }
  }

  private record(record: ModelCallRecord): void {
    this.totals.calls++;
    if (record.cached) this.totals.cachedCalls++;
    this.totals.requests += record.requests;
    this.totals.inputTokens += record.inputTokens;
    this.totals.outputTokens += record.outputTokens;
    this.options.onCall?.(record);
  }
}

/** The client for an OpenAI-compatible endpoint (the CLI's, and the editor's with an API key). */
export class OpenAIModelClient extends ProviderModelClient {
  constructor(options: ModelClientOptions) {
    const provider: OpenAIProviderOptions = {};
    if (options.baseUrl !== undefined) provider.baseUrl = options.baseUrl;
    if (options.apiKey !== undefined) provider.apiKey = options.apiKey;
    if (options.timeoutMs !== undefined) provider.timeoutMs = options.timeoutMs;
    super(new OpenAIProvider(provider), options);
  }
}

/** A structured answer in a fence or after a sentence becomes the bare JSON text. */
function normalized(reply: ProviderReply, request: ChatRequest): ProviderReply {
  if (!request.responseFormat || reply.content === null || reply.toolCalls.length > 0) return reply;
  const json = extractJson(reply.content);
  return json === undefined || json === reply.content ? reply : { ...reply, content: json };
}

function correction(problem: string, request: ChatRequest): string {
  return `That answer is not valid: ${problem}. Answer again with only the ${request.responseFormat ? 'JSON object' : 'corrected answer'}.`;
}

function isAnswer(reply: ChatReply): boolean {
  return !NOT_AN_ANSWER.has(reply.finishReason) && (reply.content !== null || reply.toolCalls.length > 0);
}

function cachedForm(reply: ChatReply): CachedReply {
  return { content: reply.content, toolCalls: reply.toolCalls, finishReason: reply.finishReason, model: reply.model, inputTokens: reply.inputTokens, outputTokens: reply.outputTokens };
}
