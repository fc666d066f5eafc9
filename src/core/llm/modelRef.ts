/**
 * How a judge file (or any request) names a model: a plain name is a model of the run's
 * provider; `vscode:<selector>` is one of the editor's models (VS Code Language Model API:
 * `vendor/id`, an id or a family), `openai-compatible:<name>` one of the configured
 * endpoint's. Only these two prefixes count: model names such as `llama3:8b` contain colons.
 */
import type { ProviderKind } from './provider';

export const PROVIDER_KINDS: readonly ProviderKind[] = ['openai-compatible', 'vscode'];

export interface ModelRef {
  /** Absent: the run's provider. */
  provider?: ProviderKind;
  /** '' (after a bare prefix): that provider's default model. */
  model: string;
}

export function parseModelRef(ref: string): ModelRef {
  const colon = ref.indexOf(':');
  const prefix = colon > 0 ? ref.slice(0, colon) : '';
  const provider = PROVIDER_KINDS.find((kind) => kind === prefix);
  return provider ? { provider, model: ref.slice(colon + 1).trim() } : { model: ref };
}

/** Why a provider can't serve a reference to another one: says where that provider exists. */
export function otherProviderHint(ref: string, provider: ProviderKind, here: ProviderKind): string {
  const where =
    provider === 'vscode'
      ? "the editor's models answer only inside VS Code: run it from the Test Explorer with costar.model.provider set to vscode (coSTAR: Select Model)"
      : 'configure an OpenAI-compatible endpoint (model.baseUrl and model.model in costar.yaml, or COSTAR_MODEL_BASE_URL and COSTAR_MODEL)';
  return `the request names the ${provider} model "${ref}", but this run has only the ${here} provider; ${where}`;
}
