/**
 * The one way coSTAR runs a command it does not trust to end by itself: agents, setup
 * commands and `command` checks. It owns the whole tree the command starts.
 *
 * - The command leads a new process group (detached), so one signal to `-pid` reaches every
 *   descendant that stayed in the group; descendants that left it (setsid, double fork) are
 *   found by their marker in /proc (treeMarker.ts).
 * - Deadline and cancel apply to the tree whatever the leader did: SIGTERM to group and
 *   marked processes, SIGKILL to both after a grace period.
 * - When the leader exits, whatever it left running is SIGKILLed at once; the attempt is over.
 * - Output is read until the pipes close, but never waits on a pipe held by a process no
 *   sweep could find: after the leader is gone and swept, at most DRAIN_MS more.
 * - On Linux, when it can, the tree runs in a PID namespace of its own (pidNamespace.ts): when
 *   the command exits, the kernel ends everything it left, even processes the scan cannot find.
 * So a run ends within timeout + grace + DRAIN_MS, always (without a timeout: after cancel).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { parseInitReport, pidNamespacePrefix, resolveExecutable } from './pidNamespace';
import { CAN_SCAN, TREE_ID_VARIABLE, ensureGuardian, killTree, newTreeId, signalTree } from './treeMarker';

export interface ProcessTreeOptions {
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  stdin?: string;
  /** Deadline for the whole tree; undefined: none (an agent paused in a debugger), only cancel ends it. */
  timeoutMs: number | undefined;
  signal: AbortSignal;
  /** Bytes kept per stream; the rest is counted but dropped. */
  outputCapBytes: number;
  /** Called with the text kept from each chunk, as it arrives. */
  onOutput?(stream: 'stdout' | 'stderr', text: string): void;
  onStarted?(pid: number): void;
  /** Time between SIGTERM and SIGKILL. */
  graceMs?: number;
  /** Run in a PID namespace of its own where one can be made (default); false when the command brings its own (bubblewrap). */
  pidNamespace?: boolean;
}

export interface ProcessTreeResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Why the tree was ended early, when it was. */
  killedBecause?: 'timeout' | 'cancelled';
  /** The process could not be started at all (ENOENT, EACCES…). */
  spawnError?: string;
  stdout: string;
  stderr: string;
  stdoutTruncatedBytes: number;
  stderrTruncatedBytes: number;
  /** Processes a sweep had to SIGKILL: left running by the leader, or still alive after the grace period. */
  sweptProcesses: number;
  /** A process outside every sweep still held stdout/stderr: output after the leader's exit may be missing. */
  outputCut: boolean;
  /** The tree ran in a PID namespace of its own (nothing of it outlives the command). */
  pidNamespace: boolean;
  startedAt: number;
  durationMs: number;
}

export const DEFAULT_GRACE_MS = 2000;
/** How long output may still arrive after the leader exited and the tree was swept. */
const DRAIN_MS = 1000;
const GROUPS = process.platform !== 'win32';

export function runProcessTree(options: ProcessTreeOptions): Promise<ProcessTreeResult> {
  const startedAt = Date.now();
  const started = performance.now();
  const [command, ...args] = options.argv;
  const treeId = newTreeId();
  ensureGuardian();
  const prefix = options.pidNamespace === false ? null : pidNamespacePrefix();
  const executable = prefix ? resolveExecutable(command!, options.cwd, options.env) : undefined;
  const argv = prefix && executable ? [...prefix, executable, ...args] : options.argv;
  const inNamespace = argv !== options.argv;
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: { ...options.env, [TREE_ID_VARIABLE]: treeId },
      detached: GROUPS,
      // fd 3: the namespace init's report (pidNamespace.ts).
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', ...(inNamespace ? ['pipe' as const] : [])],
      windowsHide: true,
    });
    // stdout and stderr are always pipes (see stdio above).
    const stdout = child.stdout!;
    const stderr = child.stderr!;
    const reportPipe = inNamespace ? (child.stdio[3] as Readable) : undefined;
    let initReport = '';
    reportPipe?.on('data', (chunk: Buffer) => (initReport += chunk.toString('utf8')));
    reportPipe?.on('error', () => undefined);
    const out = new CappedText(options.outputCapBytes);
    const err = new CappedText(options.outputCapBytes);
    let killedBecause: ProcessTreeResult['killedBecause'];
    let spawnError: string | undefined;
    let sweptProcesses = 0;
    let leaderExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let finished = false;
    /** The sweep at the leader's normal exit found nothing left to kill. */
    let sweptClean = false;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;

    /** Signals the group and every marked process; returns how many marked ones it found. */
    const signalAll = (signal: NodeJS.Signals): number => {
      // Marked processes first: the count then includes group members, not only escapees.
      const found = signal === 'SIGKILL' ? killTree(treeId) : signalTree(treeId, signal);
      signalGroup(child.pid, signal);
      return found;
    };
    const startDrain = () => {
      drainTimer ??= setTimeout(finish, DRAIN_MS);
    };
    const kill = (reason: 'timeout' | 'cancelled') => {
      if (killedBecause || finished || leaderExit) return;
      killedBecause = reason;
      signalAll('SIGTERM');
      killTimer = setTimeout(() => {
        sweptProcesses += signalAll('SIGKILL');
        startDrain();
      }, options.graceMs ?? DEFAULT_GRACE_MS);
    };
    const timeout = options.timeoutMs === undefined ? undefined : setTimeout(() => kill('timeout'), options.timeoutMs);
    const onAbort = () => kill('cancelled');
    options.signal.addEventListener('abort', onAbort, { once: true });

    function finish() {
      if (finished) return;
      finished = true;
      clearTimeout(timeout);
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      options.signal.removeEventListener('abort', onAbort);
      // The last word: nothing of the tree survives it, whatever happened before.
      signalGroup(child.pid, 'SIGKILL');
      if (!sweptClean) sweptProcesses += killTree(treeId);
      const outputCut = !stdout.readableEnded || !stderr.readableEnded;
      stdout.destroy();
      stderr.destroy();
      reportPipe?.destroy();
      const report = parseInitReport(initReport);
      if (report) sweptProcesses += report.leftRunning;
      const exit = inNamespace ? namespaceExit(leaderExit) : leaderExit;
      resolve({
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        killedBecause,
        spawnError,
        stdout: out.text(),
        stderr: err.text(),
        stdoutTruncatedBytes: out.dropped,
        stderrTruncatedBytes: err.dropped,
        sweptProcesses,
        outputCut: outputCut && !spawnError,
        pidNamespace: inNamespace,
        startedAt,
        durationMs: performance.now() - started,
      });
    }

    child.on('spawn', () => options.onStarted?.(child.pid!));
    stdout.on('data', (chunk: Buffer) => {
      const text = out.push(chunk);
      if (text) options.onOutput?.('stdout', text);
    });
    stderr.on('data', (chunk: Buffer) => {
      const text = err.push(chunk);
      if (text) options.onOutput?.('stderr', text);
    });
    if (child.stdin) {
      // An agent that never reads stdin (or exits early) makes the write fail with EPIPE: harmless.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin);
    }
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = `could not start ${JSON.stringify(command)}: ${error.code ?? error.message}`;
    });
    child.on('exit', (code, signal) => {
      leaderExit = { code, signal };
      // Mid-kill, the grace period still runs for the rest of the tree; otherwise the run is
      // over and what the leader left behind goes now (a background server holding stdout).
      if (!killedBecause) {
        const found = signalAll('SIGKILL');
        sweptProcesses += found;
        sweptClean = found === 0;
        startDrain();
      }
    });
    // 'close' waits for the pipes, so no output written before the sweep is lost.
    child.on('close', (code, signal) => {
      leaderExit ??= { code, signal };
      finish();
    });
    if (options.signal.aborted) onAbort();
  });
}

/** Sends a signal to a whole process group; a group that is already gone is fine. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(GROUPS ? -pid : pid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

type Exit = { code: number | null; signal: NodeJS.Signals | null } | undefined;

/**
 * The namespace's init shell reports a command killed by signal N as status 128+N (as every
 * shell does): shown as that signal, so a crash reads "killed by SIGSEGV" with or without the
 * namespace. A command that itself exits with such a status is shown the same way.
 */
function namespaceExit(exit: Exit): Exit {
  if (!exit || exit.code === null || exit.code <= 128) return exit;
  const signal = (Object.keys(constants.signals) as NodeJS.Signals[]).find((name) => constants.signals[name] === exit.code! - 128);
  return signal ? { code: null, signal } : exit;
}

/** Whether escaped descendants can be found on this platform (else: the process group only). */
export const FINDS_ESCAPED_DESCENDANTS = CAN_SCAN;

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
