/**
 * The model client over the `openai` package, for any OpenAI-compatible endpoint.
 * It owns what every caller would otherwise get wrong: retries with backoff that honour
 * Retry-After, a concurrency limit, malformed-reply retries, token/latency accounting and the
 * reply cache. The SDK's own retries are off so that every attempt is counted here.
 */
import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { cacheKey, ReplyCache, type CachedReply } from './cache';
import { Limiter } from './limiter';
import { classify, DEFAULT_RETRY, delayBeforeRetry, isTransient, sleep, type Failure, type RetryPolicy, type SdkErrors } from './retry';
import { ModelError, type ChatOptions, type ChatReply, type ChatRequest, type ModelCallRecord, type ModelClient, type ModelUsage } from './types';

export interface ModelClientOptions {
  /** Endpoint base URL (…/v1); default: OpenAI's. */
  baseUrl?: string;
  model: string;
  /** Held only inside the SDK client; never logged, cached or put in an error. */
  apiKey?: string;
  maxConcurrency?: number;
  /** Per-request timeout in ms (default 60 s). */
  timeoutMs?: number;
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

export class OpenAIModelClient implements ModelClient {
  readonly model: string;
  /** Loaded on the first call: a run without model judges never loads the SDK. */
  private sdk: Promise<{ client: OpenAI; errors: SdkErrors }> | undefined;
  private readonly limiter: Limiter;
  private readonly retry: RetryPolicy;
  private readonly cache: ReplyCache | undefined;
  private readonly totals: ModelUsage = { calls: 0, cachedCalls: 0, requests: 0, inputTokens: 0, outputTokens: 0 };

  constructor(private readonly options: ModelClientOptions) {
    this.model = options.model;
    this.limiter = new Limiter(options.maxConcurrency ?? 4);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.cache = options.cacheDir ? new ReplyCache(options.cacheDir) : undefined;
  }

  private loadSdk(): Promise<{ client: OpenAI; errors: SdkErrors }> {
    this.sdk ??= import('openai').then((sdk) => ({
      client: new sdk.default({
        baseURL: this.options.baseUrl,
        // Local endpoints (Ollama, vLLM, LM Studio) need no key, but the SDK insists on one.
        apiKey: this.options.apiKey || 'no-key',
        maxRetries: 0,
        timeout: this.options.timeoutMs ?? 60_000,
      }),
      errors: sdk,
    }));
    return this.sdk;
  }

  usage(): ModelUsage {
    return { ...this.totals };
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatReply> {
    const model = request.model ?? this.model;
    const key = this.cache && options.cache ? cacheKey(model, request, options.cache) : undefined;
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
    let requests = 0;
    let inputTokens = 0;
    let outputTokens = 0;
    let malformedLeft = this.options.maxMalformedRetries ?? 2;
    let retriesLeft = this.retry.maxRetries;
    let retry = 0;
    for (;;) {
      let failure: Failure;
      try {
        requests++;
        const reply = await this.limiter.run(() => this.send(model, request, options.signal));
        inputTokens += reply.inputTokens;
        outputTokens += reply.outputTokens;
        const full: ChatReply = { ...reply, inputTokens, outputTokens, ms: performance.now() - started, requests };
        const problem = options.validate?.(full);
        if (!problem) {
          this.record({ model, inputTokens, outputTokens, ms: full.ms, cached: false, requests, ok: true });
          if (key) await this.cache!.put(key, cachedForm(full));
          return full;
        }
        if (malformedLeft-- <= 0) {
          this.record({ model, inputTokens, outputTokens, ms: full.ms, cached: false, requests, ok: false });
          throw new ModelError('malformed', `the model's reply was malformed ${requests} times; last problem: ${problem}`);
        }
        this.options.onRetry?.({ attempt: requests, delayMs: 0, reason: `malformed reply: ${problem}` });
        continue;
      } catch (error) {
        if (error instanceof ModelError) throw error;
        failure = classify(error, (await this.loadSdk()).errors);
      }
      if (failure.kind === 'aborted' || options.signal?.aborted) {
        this.record({ model, inputTokens, outputTokens, ms: performance.now() - started, cached: false, requests, ok: false });
        throw new ModelError('aborted', 'the model call was cancelled');
      }
      if (!isTransient(failure) || retriesLeft-- <= 0) {
        this.record({ model, inputTokens, outputTokens, ms: performance.now() - started, cached: false, requests, ok: false });
        const tries = requests > 1 ? ` (after ${requests} attempts)` : '';
        throw new ModelError(failure.kind, `${failure.message}${tries}`, failure.kind === 'http' ? failure.status : undefined);
      }
      const delayMs = delayBeforeRetry(this.retry, retry++, failure);
      this.options.onRetry?.({ attempt: requests, delayMs, reason: failure.message });
      try {
        await sleep(delayMs, options.signal);
      } catch {
        throw new ModelError('aborted', 'the model call was cancelled');
      }
    }
  }

  private async send(model: string, request: ChatRequest, signal: AbortSignal | undefined): Promise<Omit<ChatReply, 'ms' | 'requests'>> {
    const body: ChatCompletionCreateParamsNonStreaming = { model, messages: request.messages };
    if (request.tools && request.tools.length > 0) body.tools = request.tools;
    if (request.responseFormat) {
      body.response_format = { type: 'json_schema', json_schema: { name: request.responseFormat.name, schema: request.responseFormat.schema, strict: true } };
    }
    if (request.maxTokens !== undefined) body.max_completion_tokens = request.maxTokens;
    if (request.temperature !== undefined) body.temperature = request.temperature;
    const { client } = await this.loadSdk();
    const completion = await client.chat.completions.create(body, { signal });
    const choice = completion.choices?.[0];
    if (!choice) throw new SyntaxError('the reply has no choices');
    const toolCalls = (choice.message.tool_calls ?? []).flatMap((call) =>
      call.type === 'function' ? [{ id: call.id, name: call.function.name, arguments: call.function.arguments }] : [],
    );
    return {
      content: choice.message.content ?? null,
      toolCalls,
      finishReason: choice.finish_reason ?? 'stop',
      model: completion.model ?? model,
      inputTokens: completion.usage?.prompt_tokens ?? 0,
      outputTokens: completion.usage?.completion_tokens ?? 0,
      cached: false,
    };
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

function cachedForm(reply: ChatReply): CachedReply {
  return { content: reply.content, toolCalls: reply.toolCalls, finishReason: reply.finishReason, model: reply.model, inputTokens: reply.inputTokens, outputTokens: reply.outputTokens };
}
