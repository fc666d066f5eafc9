/**
 * Model settings come from costar.yaml (`model:`, never a secret) and the environment, the
 * environment winning: COSTAR_MODEL_BASE_URL, COSTAR_MODEL, and the API key from the variable
 * named by `model.apiKeyEnv` (default OPENAI_API_KEY). In the extension, the key comes from
 * SecretStorage and is passed in that same variable to the harness.
 */
import type { z } from 'zod';
import type { ModelConfig } from '../scenario/schema';
import { OpenAIModelClient, type ModelClientOptions } from './client';
import type { ModelClient } from './types';

export type ModelConfigDef = z.output<typeof ModelConfig>;
export type Env = Record<string, string | undefined>;

export { MODEL_SETUP_HINT } from './setupHint';

export interface ResolvedModelSettings {
  baseUrl?: string;
  model?: string;
  apiKey?: string;
  apiKeyEnv: string;
}

export function resolveModelSettings(env: Env, config?: Partial<ModelConfigDef>): ResolvedModelSettings {
  const apiKeyEnv = config?.apiKeyEnv ?? 'OPENAI_API_KEY';
  const settings: ResolvedModelSettings = { apiKeyEnv };
  const baseUrl = nonEmpty(env.COSTAR_MODEL_BASE_URL) ?? nonEmpty(config?.baseUrl);
  const model = nonEmpty(env.COSTAR_MODEL) ?? nonEmpty(config?.model);
  const apiKey = nonEmpty(env[apiKeyEnv]);
  if (baseUrl) settings.baseUrl = baseUrl;
  if (model) settings.model = model;
  if (apiKey) settings.apiKey = apiKey;
  return settings;
}

/**
 * A client when a model is configured: a model name, plus a base URL (local endpoints need no
 * key) or an API key (OpenAI itself). Otherwise undefined, and model-based judges are skipped
 * with MODEL_SETUP_HINT.
 */
export function createModelClientFromEnv(
  env: Env,
  config?: Partial<ModelConfigDef>,
  options: Omit<ModelClientOptions, 'baseUrl' | 'model' | 'apiKey'> = {},
): ModelClient | undefined {
  const settings = resolveModelSettings(env, config);
  if (!settings.model || (!settings.baseUrl && !settings.apiKey)) return undefined;
  const clientOptions: ModelClientOptions = {
    model: settings.model,
    maxConcurrency: config?.maxConcurrency ?? 4,
    ...options,
  };
  if (settings.baseUrl) clientOptions.baseUrl = settings.baseUrl;
  if (settings.apiKey) clientOptions.apiKey = settings.apiKey;
  if (config?.timeout !== undefined && options.timeoutMs === undefined) clientOptions.timeoutMs = config.timeout;
  return new OpenAIModelClient(clientOptions);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value.trim() : undefined;
}
