/**
 * Starts one agent process and owns its whole process tree.
 *
 * The agent is spawned detached, so it leads a new process group: killing `-pid` reaches
 * every descendant that stayed in the group (a shell, a Python interpreter, its workers),
 * which a plain `child.kill()` would leave behind. Timeout and cancel both end in the same
 * group kill: SIGTERM first so well-behaved agents can flush their traces, SIGKILL after a
 * grace period.
 */
import { spawn } from 'node:child_process';

export interface AgentProcessOptions {
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Bytes kept per stream; the rest is counted but dropped. */
  outputCapBytes: number;
  onOutput(stream: 'stdout' | 'stderr', text: string): void;
  onStarted?(pid: number): void;
  /** Time between SIGTERM and SIGKILL. */
  graceMs?: number;
}

export interface AgentProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Why the harness ended the process, when it did. */
  killedBecause?: 'timeout' | 'cancelled';
  /** The process could not be started at all (ENOENT, EACCES…). */
  spawnError?: string;
  stdout: string;
  stderr: string;
  stdoutTruncatedBytes: number;
  stderrTruncatedBytes: number;
  startedAt: number;
  durationMs: number;
}

export function runAgentProcess(options: AgentProcessOptions): Promise<AgentProcessResult> {
  const startedAt = Date.now();
  const started = performance.now();
  const [command, ...args] = options.argv;
  return new Promise((resolve) => {
    const child = spawn(command!, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const out = new CappedText(options.outputCapBytes);
    const err = new CappedText(options.outputCapBytes);
    let killedBecause: AgentProcessResult['killedBecause'];
    let spawnError: string | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const killTree = (reason: 'timeout' | 'cancelled') => {
      if (killedBecause || child.exitCode !== null || child.signalCode !== null) return;
      killedBecause = reason;
      signalGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), options.graceMs ?? 2000);
    };
    const timeout = setTimeout(() => killTree('timeout'), options.timeoutMs);
    const onAbort = () => killTree('cancelled');
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal.aborted) onAbort();

    child.on('spawn', () => options.onStarted?.(child.pid!));
    child.stdout.on('data', (chunk: Buffer) => {
      const text = out.push(chunk);
      if (text) options.onOutput('stdout', text);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = err.push(chunk);
      if (text) options.onOutput('stderr', text);
    });
    // An agent that never reads stdin (or exits early) makes the write fail with EPIPE: harmless.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin);

    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = `could not start ${JSON.stringify(command)}: ${error.code ?? error.message}`;
    });
    // 'close' (not 'exit') waits for the stdio pipes to drain, so no output is lost.
    child.on('close', (exitCode, signal) => {
      clearTimeout(timeout);
      options.signal.removeEventListener('abort', onAbort);
      // The leader is gone, but descendants may still hold the group: always sweep it.
      signalGroup(child.pid, 'SIGKILL');
      if (killTimer) clearTimeout(killTimer);
      resolve({
        exitCode,
        signal,
        killedBecause,
        spawnError,
        stdout: out.text(),
        stderr: err.text(),
        stdoutTruncatedBytes: out.dropped,
        stderrTruncatedBytes: err.dropped,
        startedAt,
        durationMs: performance.now() - started,
      });
    });
  });
}

/** Sends a signal to a whole process group; a group that is already gone is fine. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

/** Keeps the first `cap` bytes of a stream, decoding UTF-8 across chunk boundaries. */
class CappedText {
  private readonly decoder = new TextDecoder();
  private kept = 0;
  private parts: string[] = [];
  dropped = 0;

  constructor(private readonly cap: number) {}

  /** Returns the text newly kept from this chunk ('' once the cap is reached). */
  push(chunk: Buffer): string {
    const room = this.cap - this.kept;
    if (room <= 0) {
      this.dropped += chunk.length;
      return '';
    }
    const slice = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.dropped += chunk.length - slice.length;
    this.kept += slice.length;
    const text = this.decoder.decode(slice, { stream: true });
    this.parts.push(text);
    return text;
  }

  text(): string {
    return this.parts.join('');
  }
}
