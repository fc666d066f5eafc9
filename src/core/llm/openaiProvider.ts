/**
 * Any OpenAI-compatible endpoint through the `openai` package. It learns the endpoint's
 * quirks (quirks.ts) per model for the life of the provider — one run, one command — so a
 * fallback costs its extra request once, not on every judge.
 */
import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { ModelProvider, ProviderReply } from './provider';
import { learnQuirk, NO_QUIRKS, type EndpointQuirks, type SentParameters } from './quirks';
import { classify, EmptyReplyError, type Failure, type SdkErrors } from './retry';
import { withSchemaInPrompt } from './structuredOutput';
import type { ChatRequest } from './types';

export interface OpenAIProviderOptions {
  /** Endpoint base URL (…/v1); default: OpenAI's. */
  baseUrl?: string;
  /** Held only inside the SDK client; never logged, cached or put in an error. */
  apiKey?: string;
  /** Per-request timeout in ms (default 60 s). */
  timeoutMs?: number;
}

const OPENAI_URL = 'https://api.openai.com/v1';

export class OpenAIProvider implements ModelProvider {
  readonly kind = 'openai-compatible' as const;
  readonly endpoint: string;
  /** Loaded on the first call: a run without model judges never loads the SDK. */
  private sdk: Promise<{ client: OpenAI; errors: SdkErrors }> | undefined;
  private readonly quirks = new Map<string, EndpointQuirks>();

  constructor(private readonly options: OpenAIProviderOptions) {
    this.endpoint = (options.baseUrl ?? OPENAI_URL).replace(/\/+$/, '');
  }

  private loadSdk(): Promise<{ client: OpenAI; errors: SdkErrors }> {
    this.sdk ??= import('openai').then((sdk) => ({
      client: new sdk.default({
        baseURL: this.options.baseUrl,
        // Local endpoints (Ollama, vLLM, LM Studio) need no key, but the SDK insists on one.
        apiKey: this.options.apiKey || 'no-key',
        // Every attempt is made and counted by the model client.
        maxRetries: 0,
        timeout: this.options.timeoutMs ?? 60_000,
      }),
      errors: sdk,
    }));
    return this.sdk;
  }

  /** What this endpoint has accepted so far for `model`. */
  quirksOf(model: string): EndpointQuirks {
    return this.quirks.get(model) ?? NO_QUIRKS;
  }

  async send(model: string, request: ChatRequest, signal: AbortSignal | undefined): Promise<ProviderReply> {
    const { client } = await this.loadSdk();
    const completion = await client.chat.completions.create(this.body(model, request), { signal });
    const choice = completion.choices?.[0];
    if (!choice?.message) {
      const said = (completion as { error?: { message?: string } }).error?.message;
      throw new EmptyReplyError(`the model endpoint answered without ${choice ? 'a message' : 'choices'}${said ? `: ${said}` : ''}`);
    }
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
    };
  }

  async classify(error: unknown): Promise<Failure> {
    return classify(error, (await this.loadSdk()).errors);
  }

  adapt(model: string, request: ChatRequest, failure: Failure): string | undefined {
    const sent: SentParameters = { responseFormat: request.responseFormat !== undefined, temperature: request.temperature !== undefined, tokenLimit: request.maxTokens !== undefined };
    const learned = learnQuirk(this.quirksOf(model), sent, failure);
    if (!learned) return undefined;
    this.quirks.set(model, learned.quirks);
    return learned.change;
  }

  private body(model: string, request: ChatRequest): ChatCompletionCreateParamsNonStreaming {
    const quirks = this.quirksOf(model);
    const format = request.responseFormat;
    const messages = format && quirks.responseFormat !== 'json_schema' ? withSchemaInPrompt(request.messages, format) : request.messages;
    const body: ChatCompletionCreateParamsNonStreaming = { model, messages };
    if (request.tools && request.tools.length > 0) body.tools = request.tools;
    if (format && quirks.responseFormat === 'json_schema') body.response_format = { type: 'json_schema', json_schema: { name: format.name, schema: format.schema, strict: true } };
    if (format && quirks.responseFormat === 'json_object') body.response_format = { type: 'json_object' };
    if (request.maxTokens !== undefined && quirks.tokenLimit === 'max_completion_tokens') body.max_completion_tokens = request.maxTokens;
    if (request.maxTokens !== undefined && quirks.tokenLimit === 'max_tokens') body.max_tokens = request.maxTokens;
    if (request.temperature !== undefined && quirks.temperature) body.temperature = request.temperature;
    return body;
  }
}
