/**
 * `isolation: bubblewrap`: the agent runs under bwrap with the whole file system read-only
 * except its attempt folder (sandbox, trace file, and TMPDIR inside it), in its own PID namespace
 * (when bwrap's process dies, everything the agent started dies with it). The network is
 * shared by default, so the agent still reaches the harness's OTLP receiver on 127.0.0.1;
 * `sandbox.network: none` unshares it too. When bwrap is missing or cannot create namespaces
 * here, the attempt is an error that says why — never a silent run without isolation.
 * /tmp stays visible (read-only) rather than private: agents, their interpreters and their
 * dependencies may live under /tmp (a checkout there, a temp virtual environment), and a
 * private /tmp would hide them; writes go to TMPDIR in the attempt folder instead.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';

export interface IsolationRequest {
  workspaceDir: string;
  /** The only folder the agent may write (its TMPDIR is inside it). */
  writableDir: string;
  /** The agent's working directory (inside writableDir). */
  cwd: string;
  network: 'shared' | 'none';
}

export type Isolated = { ok: true; argv: string[] } | { ok: false; reason: string };

let probe: Promise<string | undefined> | undefined;

/** The agent's argv wrapped in bwrap, or why it cannot be. */
export async function isolateWithBubblewrap(argv: string[], request: IsolationRequest): Promise<Isolated> {
  const unavailable = await (probe ??= probeBubblewrap());
  if (unavailable) return { ok: false, reason: `isolation: bubblewrap is set in costar.yaml, but ${unavailable}; the agent was not started` };
  mkdirSync(agentTmpDir(request), { recursive: true });
  return { ok: true, argv: ['bwrap', ...bubblewrapArgs(request), '--', ...argv] };
}

export function bubblewrapArgs(request: IsolationRequest): string[] {
  return [
    '--die-with-parent',
    '--unshare-pid',
    ...(request.network === 'none' ? ['--unshare-net'] : []),
    '--ro-bind', '/', '/',
    '--dev', '/dev',
    '--proc', '/proc',
    '--bind', request.writableDir, request.writableDir,
    '--setenv', 'TMPDIR', agentTmpDir(request),
    '--chdir', request.cwd,
  ];
}

/** The agent's writable temp folder under bwrap. */
function agentTmpDir(request: IsolationRequest): string {
  return path.join(request.writableDir, 'tmp');
}

/** Runs bwrap once with the same kind of mounts; undefined when it works, else the reason. */
function probeBubblewrap(): Promise<string | undefined> {
  if (process.platform !== 'linux') return Promise.resolve(`bubblewrap needs Linux (this is ${process.platform})`);
  return new Promise((resolve) => {
    const child = spawn('bwrap', ['--die-with-parent', '--unshare-pid', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--', 'true'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    child.on('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ENOENT' ? 'bwrap is not installed (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)' : `bwrap cannot be started: ${error.message}`),
    );
    child.on('close', (code) => {
      if (code === 0) return resolve(undefined);
      resolve(
        `bwrap cannot create its namespaces here (exit ${code}: ${stderr.trim() || 'no message'}); unprivileged user namespaces may be disabled ` +
          '(sysctl kernel.unprivileged_userns_clone, or AppArmor\'s kernel.apparmor_restrict_unprivileged_userns), or a container forbids them',
      );
    });
  });
}
