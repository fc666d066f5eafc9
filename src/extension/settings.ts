import type * as vscodeTypes from 'vscode';
import type { ProviderKind } from '../core/llm/provider';
import type { VSCode } from './vscodeApi';

/** The user-facing settings under `costar.*` (package.json `contributes.configuration`). No secrets here. */
export interface CostarSettings {
  /** OpenAI-compatible endpoint for model-based judges; empty = use costar.yaml. */
  modelBaseUrl: string;
  /** Model name; empty = use costar.yaml. */
  modelName: string;
  /** Who answers model calls: the OpenAI-compatible endpoint, or the editor's models (VS Code Language Model API). */
  modelProvider: ProviderKind;
  /** With provider vscode: the editor's model ('vendor/id', an id or a family; empty = the first available). */
  editorModel: string;
  /** Scenarios run at once; 0 = use costar.yaml. */
  concurrency: number;
  /** Per-scenario timeout in seconds; 0 = use costar.yaml. */
  defaultTimeoutSeconds: number;
}

export function readSettings(vscode: VSCode, scope?: vscodeTypes.Uri): CostarSettings {
  const config = vscode.workspace.getConfiguration('costar', scope);
  return {
    modelBaseUrl: config.get<string>('model.baseUrl', '').trim(),
    modelName: config.get<string>('model.name', '').trim(),
    modelProvider: config.get<string>('model.provider', 'openai-compatible') === 'vscode' ? 'vscode' : 'openai-compatible',
    editorModel: config.get<string>('model.editorModel', '').trim(),
    concurrency: Math.max(0, Math.floor(config.get<number>('concurrency', 0))),
    defaultTimeoutSeconds: Math.max(0, config.get<number>('defaultTimeout', 0)),
  };
}

/**
 * The environment the harness gets for model access. The key travels only here (the
 * harness passes it to judges, never to logs or traces). `apiKeyEnv` is the variable name
 * costar.yaml asks for (OPENAI_API_KEY unless configured otherwise).
 */
export function modelEnvironment(settings: CostarSettings, apiKey: string | undefined, apiKeyEnv = 'OPENAI_API_KEY'): Record<string, string> {
  const env: Record<string, string> = {};
  if (apiKey) env[apiKeyEnv] = apiKey;
  if (settings.modelBaseUrl) env.COSTAR_MODEL_BASE_URL = settings.modelBaseUrl;
  if (settings.modelName) env.COSTAR_MODEL = settings.modelName;
  return env;
}
