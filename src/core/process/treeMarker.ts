/**
 * Finding every process a run started, even the ones that left their process group.
 *
 * Each process tree the harness starts (agent, setup command, `command` check) gets
 * `COSTAR_PROCESS_TREE_ID=<token>.<n>` in its environment. Descendants inherit it whatever
 * they do with sessions and groups (setsid, double fork, daemonizing), so on Linux a scan of
 * /proc/<pid>/environ finds them all. `<token>` is random per process that starts trees, so
 * the guardian (below) can find everything that process started with one prefix.
 *
 * What escapes the scan: a descendant that execs with a cleared environment (`env -i`) outside
 * the process group (on Linux the tree's PID namespace ends it, pidNamespace.ts, where one can
 * be made), and processes of other users. macOS and Windows have no readable
 * /proc/<pid>/environ: there the process group is all that is swept (docs/processes.md).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';

export const TREE_ID_VARIABLE = 'COSTAR_PROCESS_TREE_ID';

const TOKEN = randomBytes(8).toString('hex');
let sequence = 0;

/** A fresh marker value for one process tree. */
export function newTreeId(): string {
  return `${TOKEN}.${++sequence}`;
}

/** True where processes can be found by their environment. */
export const CAN_SCAN = process.platform === 'linux' && fs.existsSync('/proc/self/environ');

/**
 * Sends `signal` to every process whose environment holds `needle` (a `VAR=value` prefix)
 * and returns how many it found. Written without imports or inner named functions: the
 * guardian runs this very function's source in a separate Node process.
 *
 * The whole scan comes before the first signal, so the count is what was running: signalling
 * while scanning let one kill end others before the scan reached them (a PID namespace's
 * wrapper killed first takes the whole namespace down), and the count depended on timing.
 */
export function signalMarked(needle: string, signal: NodeJS.Signals, fsModule: typeof fs): number {
  const wanted = Buffer.from(needle);
  const marked: number[] = [];
  let entries: string[];
  try {
    entries = fsModule.readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const code = entry.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let environ: Buffer;
    try {
      // A zombie's environ reads as empty, so dead processes are never counted.
      environ = fsModule.readFileSync(`/proc/${entry}/environ`);
    } catch {
      continue; // gone, or another user's
    }
    const at = environ.indexOf(wanted);
    if (at < 0 || (at > 0 && environ[at - 1] !== 0)) continue;
    marked.push(pid);
  }
  for (const pid of marked) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited since the scan (perhaps by an earlier signal of this loop): it was running
    }
  }
  return marked.length;
}

/** Signals every live process of one tree (by its marker); 0 where /proc cannot be scanned. */
export function signalTree(treeId: string, signal: NodeJS.Signals): number {
  return CAN_SCAN ? signalMarked(`${TREE_ID_VARIABLE}=${treeId}\0`, signal, fs) : 0;
}

/**
 * SIGKILLs a tree until a scan finds nothing left: a process may fork between the scan and
 * its signal. Bounded, because a fork bomb outpacing the scan must not hang the harness.
 */
export function killTree(treeId: string): number {
  let total = 0;
  for (let round = 0; round < 10; round++) {
    const found = signalTree(treeId, 'SIGKILL');
    total += found;
    if (found === 0) break;
  }
  return total;
}

let guardianStarted = false;

/**
 * Starts, once per process, a guardian that outlives it: a small detached Node process
 * holding the read end of a pipe. When this process ends in any way — including SIGKILL,
 * which no handler here can catch — the pipe closes and the guardian SIGKILLs every process
 * that carries this process's token, then exits. It costs one idle process per harness.
 */
export function ensureGuardian(): void {
  if (guardianStarted || !CAN_SCAN) return;
  guardianStarted = true;
  const source = [
    // tsx/esbuild may wrap functions in __name() to keep their names; the guardian has no such helper.
    'var __name = (f) => f;',
    `const signalMarked = ${signalMarked.toString()};`,
    "const fs = require('node:fs');",
    'const needle = process.argv[1];',
    'const sweep = () => { for (let round = 0; round < 20; round++) if (signalMarked(needle, "SIGKILL", fs) === 0) break; process.exit(0); };',
    "process.stdin.on('end', sweep); process.stdin.on('error', sweep); process.stdin.resume();",
    // The guardian must survive the signals that take its parent's process group down.
    "for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => undefined);",
  ].join('\n');
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
    delete env[TREE_ID_VARIABLE];
    const guardian = spawn(process.execPath, ['-e', source, `${TREE_ID_VARIABLE}=${TOKEN}.`], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env,
    });
    guardian.on('error', () => undefined);
    guardian.stdin!.on('error', () => undefined);
    // Neither the guardian nor its pipe may keep this process alive.
    guardian.unref();
    (guardian.stdin as unknown as { unref?(): void }).unref?.();
  } catch {
    // Without a guardian, the sweeps at attempt end and on cancel still run.
  }
}
