/**
 * What an OpenAI-compatible endpoint accepts, learned from its 400s. Real endpoints differ
 * from OpenAI: older vLLM/Ollama builds and some gateways reject `response_format:
 * json_schema`, reasoning models reject `temperature` and `max_tokens`, older servers don't
 * know `max_completion_tokens`. Each rejection moves one setting one step down its fallback
 * list, never back up, so a session converges after at most a few extra requests and every
 * later request is sent in the form the endpoint took.
 */
import type { Failure } from './retry';

/** json_schema → json_object (schema in the prompt) → no response_format (schema in the prompt). */
export type ResponseFormatMode = 'json_schema' | 'json_object' | 'prompt';
/** max_completion_tokens → max_tokens → no limit sent. */
export type TokenLimitParam = 'max_completion_tokens' | 'max_tokens' | 'none';

export interface EndpointQuirks {
  responseFormat: ResponseFormatMode;
  tokenLimit: TokenLimitParam;
  /** false once the model rejected a temperature: it only takes its default. */
  temperature: boolean;
}

export const NO_QUIRKS: EndpointQuirks = { responseFormat: 'json_schema', tokenLimit: 'max_completion_tokens', temperature: true };

/** What a request carried, so that only a parameter that was actually sent is blamed. */
export interface SentParameters {
  responseFormat: boolean;
  temperature: boolean;
  tokenLimit: boolean;
}

/**
 * The quirks after `failure`, and what changed; undefined when the failure is not a
 * rejection of a parameter this request sent (then it is reported as it is).
 */
export function learnQuirk(quirks: EndpointQuirks, sent: SentParameters, failure: Failure): { quirks: EndpointQuirks; change: string } | undefined {
  if (failure.kind !== 'http' || (failure.status !== 400 && failure.status !== 422)) return undefined;
  const named = `${failure.param ?? ''} ${failure.message}`;
  if (sent.responseFormat && quirks.responseFormat !== 'prompt' && /response_format|json_schema|json_object|structured output/i.test(named)) {
    const next: ResponseFormatMode = quirks.responseFormat === 'json_schema' ? 'json_object' : 'prompt';
    return { quirks: { ...quirks, responseFormat: next }, change: `the endpoint rejected response_format ${quirks.responseFormat}; now ${next === 'prompt' ? 'the schema goes in the prompt only' : 'json_object with the schema in the prompt'}` };
  }
  if (sent.tokenLimit && quirks.tokenLimit !== 'none' && new RegExp(`\\b${quirks.tokenLimit}\\b`).test(named)) {
    const next: TokenLimitParam = quirks.tokenLimit === 'max_completion_tokens' ? 'max_tokens' : 'none';
    return { quirks: { ...quirks, tokenLimit: next }, change: `the endpoint rejected ${quirks.tokenLimit}; now ${next === 'none' ? 'no token limit is sent' : 'max_tokens'}` };
  }
  if (sent.temperature && quirks.temperature && /\btemperature\b/i.test(named)) {
    return { quirks: { ...quirks, temperature: false }, change: 'the model rejected temperature; now sent without it (the model default)' };
  }
  return undefined;
}
