/**
 * The judges' model client for one run: the configured OpenAI-compatible endpoint, and for a
 * run started in the editor with the editor's model, that model (asked through the extension
 * host) as the default — a judge file can still name `openai-compatible:<model>`.
 */
import { ProviderModelClient } from '../core/llm/client';
import { createModelClientFromEnv, type Env } from '../core/llm/fromEnv';
import type { HostModelProvider } from '../core/llm/hostProvider';
import { ModelRouter } from '../core/llm/router';
import type { ModelClient } from '../core/llm/types';
import type { RunRequest } from '../core/run/protocol';
import type { WorkspaceConfig } from '../core/scenario/schema';
import { llmCacheDir } from '../core/layout';

export function judgeModelClient(request: RunRequest, config: WorkspaceConfig, modelEnv: Env, host: HostModelProvider | undefined): ModelClient | undefined {
  const caching = { cacheDir: llmCacheDir(request.workspaceDir), noCache: request.noCache ?? false };
  const endpoint = createModelClientFromEnv(modelEnv, config.model, caching);
  if (!request.hostModel || !host) return endpoint;
  const editor = new ProviderModelClient(host, { model: request.hostModel.model, maxConcurrency: config.model?.maxConcurrency ?? 4, ...caching });
  return new ModelRouter('vscode', endpoint ? { vscode: editor, 'openai-compatible': endpoint } : { vscode: editor });
}
