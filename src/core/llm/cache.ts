/**
 * The model-reply cache: one JSON file per reply under `<workspace>/.costar/cache/llm`, keyed
 * by a hash of (provider, endpoint, model, messages, tools, response format, sampling, judge
 * version, trace hash): the same model name on another endpoint is another model.
 * Re-scoring an unchanged trace with an unchanged judge therefore costs no model call.
 * Writes are atomic, so concurrent judges and crashes never leave half entries.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite';
import type { ProviderReply } from './provider';
import type { CacheScope, ChatRequest } from './types';

// 2: the provider and the endpoint are part of the key.
const CACHE_FORMAT = 2;

/** A reply as it came back, with what it cost when it was asked. */
export type CachedReply = ProviderReply;

/** Who answers: the provider kind, its endpoint ('' for the editor's models) and the model. */
export interface Answerer {
  provider: string;
  endpoint: string;
  model: string;
}

export function cacheKey({ provider, endpoint, model }: Answerer, request: ChatRequest, scope: CacheScope): string {
  const material = JSON.stringify({
    f: CACHE_FORMAT,
    provider,
    endpoint,
    model,
    messages: request.messages,
    tools: request.tools ?? null,
    responseFormat: request.responseFormat ?? null,
    maxTokens: request.maxTokens ?? null,
    temperature: request.temperature ?? null,
    judgeVersion: scope.judgeVersion,
    traceHash: scope.traceHash,
  });
  return createHash('sha256').update(material).digest('hex');
}

export class ReplyCache {
  constructor(readonly dir: string) {}

  private file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  /** A missing or unreadable entry is a miss: the cache is only ever an optimisation. */
  async get(key: string): Promise<CachedReply | undefined> {
    try {
      const entry = JSON.parse(await fs.readFile(this.file(key), 'utf8')) as { format: number; reply: CachedReply };
      return entry.format === CACHE_FORMAT ? entry.reply : undefined;
    } catch {
      return undefined;
    }
  }

  async put(key: string, reply: CachedReply): Promise<void> {
    await writeFileAtomic(this.file(key), JSON.stringify({ format: CACHE_FORMAT, createdAt: new Date().toISOString(), reply }));
  }
}
