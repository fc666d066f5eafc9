/**
 * The editor's models as seen from the harness process: each request goes to the parent (the
 * extension host) as a `modelRequest` event and comes back as a `modelReply` request
 * (run/protocol.ts). The harness's own model client wraps this provider, so verdicts made
 * with the editor's model are retried, cached and counted exactly like any other.
 */
import { randomUUID } from 'node:crypto';
import type { HarnessEvent, HostModelFailure, ModelReplyRequest } from '../run/protocol';
import { HOST_MODEL_VERSION, PROTOCOL_VERSION } from '../run/protocol';
import type { ModelProvider, ProviderReply } from './provider';
import type { Failure } from './retry';
import type { ChatRequest } from './types';

/** A failure the parent reported for one request. */
class HostFailure extends Error {
  constructor(readonly failure: Failure) {
    super('message' in failure ? failure.message : 'aborted');
  }
}

export class HostModelProvider implements ModelProvider {
  readonly kind = 'vscode' as const;
  readonly endpoint = '';
  private readonly pending = new Map<string, { resolve(reply: ProviderReply): void; reject(error: Error): void }>();

  constructor(private readonly emit: (event: HarnessEvent) => void) {}

  send(model: string, request: ChatRequest, signal: AbortSignal | undefined): Promise<ProviderReply> {
    if (signal?.aborted) return Promise.reject(new HostFailure({ kind: 'aborted' }));
    const id = randomUUID();
    return new Promise<ProviderReply>((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(id);
        this.emit({ v: PROTOCOL_VERSION, type: 'modelCancel', version: HOST_MODEL_VERSION, id });
        reject(new HostFailure({ kind: 'aborted' }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (reply) => (done(), resolve(reply)),
        reject: (error) => (done(), reject(error)),
      });
      // The model name goes separately: the request's own `model` may still carry a provider prefix.
      const { model: _named, ...rest } = request;
      this.emit({ v: PROTOCOL_VERSION, type: 'modelRequest', version: HOST_MODEL_VERSION, id, model, request: rest });
    });
  }

  /** A `modelReply` from the parent; one for an unknown id (already cancelled) is dropped. */
  answer(message: ModelReplyRequest): void {
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if (message.reply) waiting.resolve(message.reply);
    else waiting.reject(new HostFailure(toFailure(message.failure ?? { kind: 'unreachable', message: 'the editor answered the model request with neither a reply nor a failure' })));
  }

  /** The parent went away: nobody will answer. */
  close(reason: string): void {
    for (const [id, waiting] of this.pending) {
      this.pending.delete(id);
      waiting.reject(new HostFailure({ kind: 'refused', message: reason }));
    }
  }

  async classify(error: unknown): Promise<Failure> {
    if (error instanceof HostFailure) return error.failure;
    return { kind: 'unreachable', message: `the editor's model could not be asked: ${(error as Error)?.message ?? String(error)}` };
  }
}

function toFailure(failure: HostModelFailure): Failure {
  switch (failure.kind) {
    case 'aborted':
      return { kind: 'aborted' };
    case 'http': {
      const http: Failure = { kind: 'http', status: failure.status ?? 500, message: failure.message, transient: failure.transient ?? false };
      if (failure.retryAfterMs !== undefined) http.retryAfterMs = failure.retryAfterMs;
      return http;
    }
    default:
      return { kind: failure.kind, message: failure.message };
  }
}

/** A Failure as the protocol carries it (the parent's side of toFailure). */
export function failureMessage(failure: Failure): HostModelFailure {
  if (failure.kind === 'aborted') return { kind: 'aborted', message: 'the model call was cancelled' };
  const message: HostModelFailure = { kind: failure.kind, message: failure.message };
  if (failure.kind === 'http') {
    message.status = failure.status;
    message.transient = failure.transient;
    if (failure.retryAfterMs !== undefined) message.retryAfterMs = failure.retryAfterMs;
  }
  return message;
}
