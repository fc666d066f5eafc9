/**
 * One model client over several providers: a request whose model names a provider
 * (`vscode:…`, `openai-compatible:…`, see modelRef.ts) goes to that provider's client, any
 * other to the run's default. Used where both exist: the editor with an endpoint configured,
 * and the harness for a run started from the editor.
 */
import { otherProviderHint, parseModelRef } from './modelRef';
import type { ProviderKind } from './provider';
import { ModelError, type ChatOptions, type ChatReply, type ChatRequest, type ModelClient, type ModelUsage } from './types';

export class ModelRouter implements ModelClient {
  constructor(
    private readonly defaultKind: ProviderKind,
    private readonly clients: Partial<Record<ProviderKind, ModelClient>>,
  ) {
    if (!clients[defaultKind]) throw new RangeError(`no client for the default provider ${defaultKind}`);
  }

  private get fallback(): ModelClient {
    return this.clients[this.defaultKind]!;
  }

  get model(): string {
    return this.fallback.model;
  }

  get source(): string {
    return this.fallback.source;
  }

  chat(request: ChatRequest, options?: ChatOptions): Promise<ChatReply> {
    const kind = request.model ? (parseModelRef(request.model).provider ?? this.defaultKind) : this.defaultKind;
    const client = this.clients[kind];
    if (!client) return Promise.reject(new ModelError('refused', otherProviderHint(request.model!, kind, this.defaultKind)));
    return client.chat(request, options);
  }

  usage(): ModelUsage {
    const total: ModelUsage = { calls: 0, cachedCalls: 0, requests: 0, inputTokens: 0, outputTokens: 0 };
    for (const client of Object.values(this.clients)) {
      const usage = client!.usage();
      for (const key of Object.keys(total) as (keyof ModelUsage)[]) total[key] += usage[key];
    }
    return total;
  }
}
