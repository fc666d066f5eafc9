/**
 * A real MLflow tracking server for a test suite: `mlflow server` from the test venv (.venv/,
 * made by scripts/test-setup/python-venv.sh from test/python/requirements.txt) on a free
 * 127.0.0.1 port, with a fresh SQLite store and proxied artifacts in a temp folder.
 *
 * It runs in its own process group (uvicorn and its workers are children) and stop() kills the
 * group. Start-up waits for `/health` (bounded, never a fixed sleep) and fails early with the
 * server's log when the process exits. The log is copied to test-results/mlflow/<name>.log so a
 * failing suite can be read afterwards. Telemetry and the server's background job runner are off:
 * nothing talks to any host but 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './workspace';

export const VENV_BIN = path.join(REPO_ROOT, '.venv', 'bin');
export const VENV_PYTHON = path.join(VENV_BIN, 'python');
const START_TIMEOUT_MS = 180_000;
const STOP_GRACE_MS = 10_000;

/** The environment every MLflow process of the tests gets: no telemetry, no outside hosts. */
export function mlflowEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ['PATH', 'HOME', 'LANG', 'TMPDIR']) if (process.env[key] !== undefined) env[key] = process.env[key];
  return {
    ...env,
    MLFLOW_DISABLE_TELEMETRY: 'true',
    DO_NOT_TRACK: 'true',
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
    // Any proxy an outer environment sets must not see loopback traffic.
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    PYTHONUNBUFFERED: '1',
    ...extra,
  };
}

export interface MlflowServer {
  url: string;
  /** The server's folder (db.sqlite, artifacts/, server.log). */
  dir: string;
  stop(): Promise<void>;
}

export interface MlflowServerOptions {
  /** MLflow's basic-auth app with this admin password (user `admin`). */
  adminPassword?: string;
}

export async function startMlflowServer(name: string, options: MlflowServerOptions = {}): Promise<MlflowServer> {
  const mlflow = path.join(VENV_BIN, 'mlflow');
  if (!existsSync(mlflow)) throw new Error(`${mlflow} is missing: run bash scripts/test-setup/python-venv.sh (npm run test:libs does)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'costar-mlflow-'));
  const logFile = path.join(dir, 'server.log');
  const log = openSync(logFile, 'a');
  const port = await freePort();
  const child = spawn(
    mlflow,
    ['server', '--host', '127.0.0.1', '--port', String(port), '--workers', '1',
      '--backend-store-uri', `sqlite:///${path.join(dir, 'db.sqlite')}`,
      '--serve-artifacts', '--artifacts-destination', path.join(dir, 'artifacts'),
      ...(options.adminPassword ? ['--app-name', 'basic-auth'] : [])],
    {
      cwd: dir,
      // The auth app keeps its users in ./basic_auth.db, i.e. in the server's folder.
      env: mlflowEnv(options.adminPassword ? { MLFLOW_AUTH_ADMIN_PASSWORD: options.adminPassword, MLFLOW_FLASK_SERVER_SECRET_KEY: randomBytes(16).toString('hex') } : {}),
      detached: true,
      stdio: ['ignore', log, log],
    },
  );
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`exited (${signal ?? code})`)));
  const url = `http://127.0.0.1:${port}`;
  const keepLog = () => {
    const target = path.join(REPO_ROOT, 'test-results', 'mlflow', `${name}.log`);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(logFile, target);
    return target;
  };
  const stop = async () => {
    await killGroup(child, exited);
    keepLog();
    rmSync(dir, { recursive: true, force: true });
  };
  const problem = await Promise.race([waitForHealth(url, START_TIMEOUT_MS), exited]);
  if (problem !== 'ok') {
    await killGroup(child, exited);
    const saved = keepLog();
    throw new Error(`mlflow server ${problem} before ${url}/health answered; log (${saved}):\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
  }
  return { url, dir, stop };
}

async function waitForHealth(url: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
      if (response.ok) return 'ok';
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return `did not answer within ${timeoutMs / 1000} s`;
}

async function killGroup(child: ChildProcess, exited: Promise<string>): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, s);
    } catch {
      // The group is gone already.
    }
  };
  signal('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)));
  await Promise.race([exited, grace]);
  clearTimeout(timer);
  // Whatever of the group outlived the leader goes too.
  signal('SIGKILL');
  await exited;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs a Python snippet with the venv's python (MLflow's own client) against the server and returns
 * its parsed JSON stdout. It runs in the server's folder, so no client default (./mlflow.db) lands
 * in the repository.
 */
export async function runPython(server: MlflowServer, code: string): Promise<unknown> {
  const child = spawn(VENV_PYTHON, ['-c', code], { cwd: server.dir, env: mlflowEnv({ MLFLOW_TRACKING_URI: server.url }), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const code_ = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code_ !== 0) throw new Error(`python exited ${code_}:\n${stderr.slice(-4000)}`);
  return JSON.parse(stdout);
}
