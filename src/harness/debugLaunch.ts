/**
 * How the Debug profile starts an agent: the same argv, sandbox, prompt and environment as a
 * normal run, plus the debugger's launch options, so the agent waits for VS Code to attach.
 *
 * - Node (`node …` directly): `--inspect-brk=127.0.0.1:0` after `node`; the port is read from
 *   the "Debugger listening on ws://…" line the inspector writes to stderr.
 * - Node started any other way (npm, npx, tsx, a shell script): the same flag in NODE_OPTIONS,
 *   so every Node process of the agent waits and announces itself (npm first, then the agent).
 * - Python (`python …`): `python -m debugpy --listen 127.0.0.1:PORT --wait-for-client …`.
 * - Anything else: the agent's `debug` argv from costar.yaml, `{port}` replaced.
 * Python and `debug` agents get a free port chosen here (bound and released just before the
 * start; another process could take it in between, which fails the start visibly).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { DEBUG_PORT_PLACEHOLDER, type AgentConfig } from '../core/scenario/schema';
import type { Debuggee } from '../core/run/protocol';

export const DEBUG_HOST = '127.0.0.1';
export const NODE_INSPECT_FLAG = `--inspect-brk=${DEBUG_HOST}:0`;

export type DebugKind = Debuggee['kind'];

export interface DebugLaunch {
  kind: DebugKind;
  argv: string[];
  /** Set on top of the agent's environment. */
  env: NodeJS.ProcessEnv;
  /** Known before the start (Python, `debug`); Node's ports come from its stderr. */
  port?: number;
  /** The `debug` agent's attach configuration, placeholders substituted. */
  configuration?: Record<string, unknown>;
}

/** Which debugger an agent gets when costar.yaml says nothing: Python by its interpreter, else Node. */
export function debugKind(agent: Pick<AgentConfig, 'debug'>, argv: readonly string[]): DebugKind {
  if (agent.debug) return 'custom';
  return isPython(argv[0] ?? '') ? 'python' : 'node';
}

export async function debugLaunch(
  agent: Pick<AgentConfig, 'debug'>,
  argv: string[],
  env: NodeJS.ProcessEnv,
  resolve: (argv: string[]) => string[],
  substitute: (text: string) => string,
): Promise<DebugLaunch> {
  const kind = debugKind(agent, argv);
  if (kind === 'custom') {
    const port = await freePort();
    const fill = (text: string) => substitute(text).replaceAll(DEBUG_PORT_PLACEHOLDER, String(port));
    return { kind, port, env: {}, argv: resolve(agent.debug!.command).map(fill), configuration: fillStrings(agent.debug!.configuration, fill, port) as Record<string, unknown> };
  }
  if (kind === 'python') {
    const port = await freePort();
    const [python, ...rest] = argv;
    const interpreterFlags = leadingInterpreterFlags(rest);
    return {
      kind, port, env: {},
      argv: [python!, ...interpreterFlags, '-m', 'debugpy', '--listen', `${DEBUG_HOST}:${port}`, '--wait-for-client', ...rest.slice(interpreterFlags.length)],
    };
  }
  if (isNode(argv[0] ?? '')) return { kind, env: {}, argv: [argv[0]!, NODE_INSPECT_FLAG, ...argv.slice(1)] };
  return { kind, argv, env: { NODE_OPTIONS: [env.NODE_OPTIONS, NODE_INSPECT_FLAG].filter(Boolean).join(' ') } };
}

/**
 * Reads the inspector's announcements from a stderr stream: one `{ port, url }` per Node
 * process that waits for a debugger. Chunks may split a line anywhere.
 */
export class InspectorAnnouncements {
  private pending = '';
  constructor(private readonly onAnnounced: (debuggee: { port: number; url: string }) => void) {}

  push(text: string): void {
    const lines = (this.pending + text).split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) {
      const match = /Debugger listening on (ws:\/\/[^\s/]+:(\d+)\/\S+)/.exec(line);
      if (match) this.onAnnounced({ url: match[1]!, port: Number(match[2]) });
    }
  }
}

function isNode(command: string): boolean {
  return /^node(js)?(\.exe)?$/i.test(path.basename(command)) || command === process.execPath;
}

function isPython(command: string): boolean {
  return /^python(\d+(\.\d+)?)?(\.exe)?$/i.test(path.basename(command));
}

/** Options of the interpreter itself (`python -u -X dev agent.py`) stay before `-m debugpy`. */
function leadingInterpreterFlags(args: string[]): string[] {
  const flags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-X' || arg === '-W') flags.push(arg, args[++i] ?? '');
    else if (/^-[bBdEiIOqsSuvR]+$/.test(arg) || /^-[XW]./.test(arg)) flags.push(arg);
    else break;
  }
  return flags;
}

/** Every string in a JSON value filled in; a string that is only the port placeholder becomes the number. */
function fillStrings(value: unknown, fill: (text: string) => string, port: number): unknown {
  if (value === DEBUG_PORT_PLACEHOLDER) return port;
  if (typeof value === 'string') return fill(value);
  if (Array.isArray(value)) return value.map((v) => fillStrings(v, fill, port));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillStrings(v, fill, port)]));
  return value;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, DEBUG_HOST, () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const LISTEN_POLL_MS = 50;
const PROC_TCP = ['/proc/net/tcp', '/proc/net/tcp6'];

/**
 * Resolves true once something listens on the port (read from /proc/net/tcp: a probing
 * connection would count as the debugger's client), false when `stop` aborts first (the agent
 * ended). Without /proc (macOS, Windows) it resolves true at once and the debugger's attach
 * has to retry by itself.
 */
export async function whenListening(port: number, stop: AbortSignal): Promise<boolean> {
  if (!existsSync(PROC_TCP[0]!)) return true;
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  while (!stop.aborted) {
    for (const file of PROC_TCP) {
      const table = await readFile(file, 'utf8').catch(() => '');
      // Columns: sl local_address rem_address st …; st 0A is LISTEN.
      if (table.split('\n').some((row) => { const cols = row.trim().split(/\s+/); return cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A'; })) return true;
    }
    await new Promise((resolve) => setTimeout(resolve, LISTEN_POLL_MS));
  }
  return false;
}
