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
  /** costar.yaml named a key variable the user has not approved: it was not read (see keyEnvApproved). */
  refusedKeyEnv?: string;
}

/** Names the user approves for model.apiKeyEnv, comma-separated (the CLI's way; the editor asks once). */
export const ALLOW_KEY_ENV = 'COSTAR_ALLOW_KEY_ENV';

/**
 * Whether the variable costar.yaml names as `model.apiKeyEnv` may be read. A cloned repository
 * could otherwise name GITHUB_TOKEN or AWS_SECRET_ACCESS_KEY and receive it, as the "API key",
 * at a base URL of its choosing. OPENAI_API_KEY and COSTAR_* are approved by default; any other
 * name only when the user lists it in COSTAR_ALLOW_KEY_ENV (docs/security.md).
 */
export function keyEnvApproved(name: string, env: Env): boolean {
  if (name === 'OPENAI_API_KEY' || /^COSTAR_[A-Z0-9_]+$/.test(name)) return true;
  return (env[ALLOW_KEY_ENV] ?? '').split(',').map((n) => n.trim()).includes(name);
}

function keyEnvRefusal(name: string): string {
  return `costar.yaml names model.apiKeyEnv "${name}", which coSTAR does not read without your approval (only OPENAI_API_KEY and COSTAR_* are read by default): to use it, set ${ALLOW_KEY_ENV}=${name} (VS Code asks once per workspace)`;
}

/**
 * The warning every command that can call a model gives when costar.yaml names a key variable
 * the user has not approved (it is not read, so the model may be "not configured" for that reason
 * alone). Names the variable, never its value. Undefined when there is nothing to say.
 */
export function unapprovedKeyWarning(env: Env, config?: Partial<ModelConfigDef>): string | undefined {
  const refused = resolveModelSettings(env, config).refusedKeyEnv;
  return refused ? keyEnvRefusal(refused) : undefined;
}

export function resolveModelSettings(env: Env, config?: Partial<ModelConfigDef>): ResolvedModelSettings {
  const apiKeyEnv = config?.apiKeyEnv ?? 'OPENAI_API_KEY';
  const settings: ResolvedModelSettings = { apiKeyEnv };
  const baseUrl = nonEmpty(env.COSTAR_MODEL_BASE_URL) ?? nonEmpty(config?.baseUrl);
  const model = nonEmpty(env.COSTAR_MODEL) ?? nonEmpty(config?.model);
  const approved = keyEnvApproved(apiKeyEnv, env);
  if (!approved) settings.refusedKeyEnv = apiKeyEnv;
  const apiKey = approved ? nonEmpty(env[apiKeyEnv]) : undefined;
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
