/**
 * The Debug profile's "stop the debug session = cancel the run". The parent reports each
 * session's end (`debuggerDetached`); a session also ends when its agent exits, so the agent
 * gets DETACH_GRACE_MS to finish before the run is cancelled: an agent still running then was
 * left by a user who pressed Stop.
 */
import { DEFAULT_GRACE_MS } from '../core/process/processTree';

export const DETACH_GRACE_MS = DEFAULT_GRACE_MS;

export class DebugDetach {
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly cancelRun: (why: string) => void) {}

  agentRunning(scenarioId: string, attempt: number, ended: Promise<unknown>): void {
    const key = `${scenarioId}\u0000${attempt}`;
    this.running.set(key, ended);
    void ended.finally(() => this.running.delete(key));
  }

  async detached(scenarioId: string, attempt: number): Promise<void> {
    const ended = this.running.get(`${scenarioId}\u0000${attempt}`);
    if (!ended) return;
    let timer: NodeJS.Timeout | undefined;
    const stillRunning = await Promise.race([
      ended.then(() => false, () => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), DETACH_GRACE_MS))),
    ]);
    clearTimeout(timer);
    if (stillRunning) this.cancelRun(`the debug session of "${scenarioId}" ended while its agent was still running: the run is cancelled`);
  }
}
