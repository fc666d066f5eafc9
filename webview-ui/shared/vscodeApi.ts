/**
 * Typed access to the webview's host channel. Outgoing messages are validated before they
 * leave (a bug shows up here, not as a silent no-op in the host); incoming ones on arrival.
 */
import * as z from 'zod/mini';

// zod/mini leaves messages to a locale ("Invalid input" without one); the full zod the host
// uses sets English itself. The problems a webview reports then read as on the host.
z.config(z.locales.en());

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export class HostChannel<In, Out> {
  private readonly api: VsCodeApi = acquireVsCodeApi();

  constructor(private readonly inbound: z.ZodMiniType<In>, private readonly outbound: z.ZodMiniType<Out>) {}

  post(message: Out): void {
    this.api.postMessage(this.outbound.parse(message));
  }

  /** Calls `handler` for every valid message from the host; invalid ones are reported to `onInvalid`. */
  listen(handler: (message: In) => void, onInvalid: (problem: string) => void): void {
    window.addEventListener('message', (event: MessageEvent) => {
      const parsed = this.inbound.safeParse(event.data);
      if (parsed.success) handler(parsed.data);
      else onInvalid(parsed.error.message);
    });
  }

  getState<S>(schema: z.ZodMiniType<S>): S | undefined {
    const parsed = schema.safeParse(this.api.getState());
    return parsed.success ? parsed.data : undefined;
  }

  setState<S>(state: S): void {
    this.api.setState(state);
  }
}
