/**
 * When and how long to wait before retrying a model call. 429, 408, 409 and 5xx answers,
 * timeouts, dropped connections and unparseable bodies are transient; other 4xx are not
 * (a wrong model name or key won't fix itself).
 */
import { redactUrlCredentials } from '../util/redact';
/** The SDK's error classes; passed in by the client, which loads the SDK on its first call. */
export type SdkErrors = Pick<typeof import('openai'), 'APIConnectionError' | 'APIConnectionTimeoutError' | 'APIError' | 'APIUserAbortError'>;

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server asking for a longer wait than this gets this: a judge must not hang for an hour. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 20_000, maxRetryAfterMs: 60_000 };

export type Failure =
  | { kind: 'aborted' }
  | { kind: 'timeout'; message: string }
  | { kind: 'unreachable'; message: string }
  | { kind: 'http'; status: number; message: string; retryAfterMs?: number; transient: boolean; /** The request parameter the endpoint named, if it did. */ param?: string }
  | { kind: 'malformed'; message: string }
  | { kind: 'refused'; message: string };

/** A 200 reply without a choice or message: reported as such, never as "not JSON". */
export class EmptyReplyError extends Error {
  override readonly name = 'EmptyReplyError';
}

/** What went wrong, for retries and for people; credentials in a quoted URL are redacted. */
export function classify(error: unknown, sdk: SdkErrors): Failure {
  const failure = classifyError(error, sdk);
  if ('message' in failure) failure.message = redactUrlCredentials(failure.message);
  return failure;
}

function classifyError(error: unknown, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError }: SdkErrors): Failure {
  if (error instanceof APIUserAbortError) return { kind: 'aborted' };
  if (error instanceof APIConnectionTimeoutError) return { kind: 'timeout', message: 'the model endpoint did not answer in time' };
  if (error instanceof APIConnectionError) return { kind: 'unreachable', message: `cannot reach the model endpoint: ${causeOf(error)}` };
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const transient = status === 408 || status === 409 || status === 429 || status >= 500;
    const failure: Failure = { kind: 'http', status, message: `the model endpoint answered ${status}: ${error.message}`, transient };
    const retryAfterMs = retryAfter(error.headers);
    if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
    if (typeof error.param === 'string' && error.param) failure.param = error.param;
    return failure;
  }
  if (error instanceof EmptyReplyError) return { kind: 'malformed', message: error.message };
  if (error instanceof SyntaxError) return { kind: 'malformed', message: `the model endpoint sent a body that is not JSON: ${error.message}` };
  if ((error as Error)?.name === 'AbortError') return { kind: 'aborted' };
  return { kind: 'unreachable', message: (error as Error)?.message ?? String(error) };
}

export function isTransient(failure: Failure): boolean {
  return failure.kind === 'timeout' || failure.kind === 'unreachable' || failure.kind === 'malformed' || (failure.kind === 'http' && failure.transient);
}

/** Retry-After in seconds or as an HTTP date, or the non-standard retry-after-ms. */
export function retryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with full jitter, or the server's Retry-After (capped) when it sent one. */
export function delayBeforeRetry(policy: RetryPolicy, retry: number, failure: Failure): number {
  if (failure.kind === 'http' && failure.retryAfterMs !== undefined) return Math.min(failure.retryAfterMs, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function causeOf(error: Error): string {
  const cause = (error as { cause?: Error }).cause;
  return cause?.message ?? error.message;
}
