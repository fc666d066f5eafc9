/**
 * On Linux, a process tree runs in a PID namespace of its own when util-linux `unshare` can
 * make one without bubblewrap: unprivileged through a user namespace that maps the user to
 * itself (`--map-current-user`, so files and `id` look the same), as root a PID namespace only
 * (root keeps its file access, which a user namespace would narrow). When the namespace's
 * first process exits, the kernel kills every process left in it — also a descendant that
 * cleared its environment (no marker for the /proc scan, treeMarker.ts) and left the process
 * group. `--kill-child` ends the namespace when `unshare` itself is killed.
 *
 * That first process is a small /bin/sh, not the command: the kernel gives a namespace's PID 1
 * no default signal actions, so an agent that were PID 1 would ignore the deadline's SIGTERM.
 * The shell runs the command as its child, then counts what the command left running (the
 * tree's `sweptProcesses`, as without the namespace) and reports `<status> <count>` on fd 3
 * before it exits. A shell knows a child killed by signal N only as status 128+N (docs/processes.md).
 *
 * Off with COSTAR_PID_NAMESPACE=off (agents that need `sudo` or setuid programs, which a user
 * namespace refuses); without `unshare` or where namespaces are not allowed, trees run as before.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

export const PID_NAMESPACE_VARIABLE = 'COSTAR_PID_NAMESPACE';

/**
 * The namespace's PID 1. The shell's own stderr goes to /dev/null (it would add "Segmentation
 * fault" to the agent's stderr); the command, exec'd from a subshell so the shell reports its
 * status outside the command's redirections, gets the real one back, and neither the saved
 * copy nor the report's pipe (fd 3). The count runs in shell builtins only (`[ -ef ]` compares the
 * namespace inodes), so a few hundred processes take milliseconds; it includes the shell
 * itself, hence the -1.
 */
const INIT_SCRIPT = [
  'exec 4>&2 2>/dev/null',
  '( exec "$@" 2>&4 4>&- 3>&- )',
  's=$?',
  'n=0',
  'for p in /proc/[0-9]*; do [ "$p/ns/pid" -ef /proc/self/ns/pid ] && n=$((n+1)); done',
  'echo "$s $((n-1))" >&3',
  'exit $s',
].join('\n');

const UNSHARE_PATHS = ['/usr/bin/unshare', '/bin/unshare'];

let probed: string[] | null | undefined;

/** The argv prefix that starts a command in a new PID namespace here, or null when that is not possible. */
export function pidNamespacePrefix(env: NodeJS.ProcessEnv = process.env): string[] | null {
  if (process.platform !== 'linux' || env[PID_NAMESPACE_VARIABLE] === 'off') return null;
  probed ??= probe();
  return probed;
}

function probe(): string[] | null {
  const unshare = UNSHARE_PATHS.find((p) => isExecutable(p));
  if (!unshare || !isExecutable('/bin/sh')) return null;
  // util-linux < 2.38 has no --map-current-user (only -r, which would make the user root inside): the probe fails there.
  const userFlags = process.getuid?.() === 0 ? [] : ['--user', '--map-current-user'];
  const prefix = [unshare, ...userFlags, '--pid', '--fork', '--kill-child', '--', '/bin/sh', '-c', INIT_SCRIPT, 'costar-pid-init'];
  const check = spawnSync(prefix[0]!, [...prefix.slice(1), '/bin/sh', '-c', 'exit 7'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'], timeout: 5000 });
  return check.status === 7 && /^7 0\n$/.test(String(check.output[3] ?? '')) ? prefix : null;
}

/**
 * The command's executable as Node's spawn would find it (through PATH unless it names a
 * path), or undefined. A command that cannot be found runs without the namespace, so it fails
 * to start exactly as it would otherwise (a spawn error, not a shell's "not found").
 */
export function resolveExecutable(command: string, cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  if (command.includes('/')) {
    const file = path.resolve(cwd, command);
    return isExecutable(file) ? file : undefined;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.resolve(cwd, dir, command);
    if (isExecutable(file)) return file;
  }
  return undefined;
}

/** Parses the init's report: the command's status and how many processes it left running. */
export function parseInitReport(text: string): { status: number; leftRunning: number } | undefined {
  const match = /^(\d+) (\d+)\n?$/.exec(text);
  return match ? { status: Number(match[1]), leftRunning: Number(match[2]) } : undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
