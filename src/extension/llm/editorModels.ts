/**
 * Which model client the editor uses (costar.model.provider): the OpenAI-compatible endpoint,
 * or the editor's models with the endpoint still reachable for judges that name
 * `openai-compatible:<model>`. Runs in the harness get the editor's model through
 * `answerWithEditorModel`, the harness side of which is core/llm/hostProvider.ts.
 */
import { ProviderModelClient } from '../../core/llm/client';
import { createModelClientFromEnv, type Env, type ModelConfigDef } from '../../core/llm/fromEnv';
import { failureMessage } from '../../core/llm/hostProvider';
import { ModelRouter } from '../../core/llm/router';
import type { ModelClient } from '../../core/llm/types';
import type { RunClientOptions } from '../../core/run/client';
import { llmCacheDir } from '../../core/layout';
import { readSettings, type CostarSettings } from '../settings';
import type { VSCode } from '../vscodeApi';
import { VsCodeLmProvider } from './vscodeLmProvider';

export function extensionModelClient(vscode: VSCode, settings: CostarSettings, env: Env, config: Partial<ModelConfigDef> | undefined, cacheDir?: string): ModelClient | undefined {
  const caching = cacheDir ? { cacheDir } : {};
  const endpoint = createModelClientFromEnv(env, config, caching);
  if (settings.modelProvider !== 'vscode') return endpoint;
  const editor = new ProviderModelClient(new VsCodeLmProvider(vscode), { model: settings.editorModel, maxConcurrency: config?.maxConcurrency ?? 4, ...caching });
  return new ModelRouter('vscode', endpoint ? { vscode: editor, 'openai-compatible': endpoint } : { vscode: editor });
}

/**
 * The model for one workspace's `model:` settings through this seam, replies cached under
 * .costar/cache/llm like the CLI's: what Align Judge and the labeling panel's sampling use, so
 * an editor model picked with "coSTAR: Select Model" serves them without an endpoint or key.
 */
export function workspaceModelClient(vscode: VSCode, workspaceDir: string, env: Env, config: Partial<ModelConfigDef> | undefined): ModelClient | undefined {
  return extensionModelClient(vscode, readSettings(vscode, vscode.Uri.file(workspaceDir)), env, config, llmCacheDir(workspaceDir));
}

/** The extension host's answer to the harness's model calls. */
export function answerWithEditorModel(vscode: VSCode): NonNullable<RunClientOptions['answerModel']> {
  const provider = new VsCodeLmProvider(vscode);
  return async (model, request, signal) => {
    try {
      return { reply: await provider.send(model, request, signal) };
    } catch (error) {
      return { failure: failureMessage(await provider.classify(error)) };
    }
  };
}
