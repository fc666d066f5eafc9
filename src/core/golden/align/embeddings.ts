/**
 * Embeddings from the workspace's OpenAI-compatible endpoint, when it has an embeddings API.
 * The model is COSTAR_EMBEDDING_MODEL, else the chat model (Ollama and vLLM serve both).
 * One probe call decides: an endpoint without embeddings (404, wrong model, unreachable) gives
 * no embedder and the reason, and retrieval falls back to BM25.
 */
import { resolveModelSettings, type Env } from '../../llm/fromEnv';
import type { ModelConfig } from '../../scenario/schema';
import type { z } from 'zod';
import type { Embedder } from './memory';

export async function endpointEmbedder(env: Env, config: Partial<z.output<typeof ModelConfig>> | undefined): Promise<{ embed?: Embedder; note: string }> {
  const settings = resolveModelSettings(env, config);
  const model = env.COSTAR_EMBEDDING_MODEL?.trim() || settings.model;
  if (!model || (!settings.baseUrl && !settings.apiKey)) return { note: 'no model endpoint configured: similar examples are found with BM25' };
  // The SDK loads only here, once a model endpoint is configured.
  const { default: OpenAI } = await import('openai');
  const sdk = new OpenAI({ baseURL: settings.baseUrl, apiKey: settings.apiKey || 'no-key', maxRetries: 1, timeout: 30_000 });
  const embed: Embedder = async (texts) => {
    const response = await sdk.embeddings.create({ model, input: texts });
    return [...response.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
  };
  try {
    const [probe] = await embed(['probe']);
    if (!probe || probe.length === 0) throw new Error('the endpoint returned an empty embedding');
    return { embed, note: `similar examples are found with embeddings from ${model}` };
  } catch (error) {
    return { note: `the endpoint has no usable embeddings API (${(error as Error).message.split('\n')[0]}): similar examples are found with BM25` };
  }
}
