/**
 * Starts code-server (VS Code 1.139.1 in a browser) for one test: isolated user data,
 * extensions, XDG and temp folders under a run folder, no gallery, no telemetry, bound to
 * 127.0.0.1. It runs in its own process group and is stopped as a group, so its file
 * watchers and extension host go with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { waitFor } from './waitFor';

export const REPO = path.resolve(__dirname, '../..');
export const CODE_SERVER = path.join(REPO, '.rig', 'code-server');

export interface CodeServer {
  url: string;
  port: number;
  runDir: string;
  userDataDir: string;
  workspace: string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  /** Folder of this test's files (created). */
  runDir: string;
  /** Fixture folder copied to <runDir>/ws and opened. */
  fixture: string;
  /** Workspace Trust on (the workspace starts untrusted); default off (everything trusted). */
  workspaceTrust?: boolean;
  /** Fixture files (relative) left out of the copy. */
  omit?: string[];
  extraSettings?: Record<string, unknown>;
  /**
   * Extension folders installed into this run's extensions folder (beside coSTAR, which is
   * loaded as the development extension): code-server loads only one development extension.
   */
  installExtensions?: string[];
}

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // View actions in pane headers otherwise appear only while the mouse is over the pane.
  'workbench.view.alwaysShowHeaderActions': true,
};

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const { runDir } = options;
  const userDataDir = path.join(runDir, 'ud');
  const workspace = path.join(runDir, 'ws');
  for (const dir of ['ud/User', 'exts', 'xdg-config', 'xdg-data', 'tmp']) mkdirSync(path.join(runDir, dir), { recursive: true });
  const omitted = new Set((options.omit ?? []).map((f) => path.join(options.fixture, f)));
  cpSync(options.fixture, workspace, { recursive: true, filter: (source) => !omitted.has(source) });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...options.extraSettings }, null, 2));
  installFolders(path.join(runDir, 'exts'), options.installExtensions ?? []);

  const port = await freePort();
  const args = [
    '--user-data-dir', userDataDir, '--extensions-dir', path.join(runDir, 'exts'),
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--vscode-option', 'enable-smoke-test-driver', workspace,
  ];
  const log = createWriteStream(path.join(runDir, 'code-server.log'));
  const child = spawn(CODE_SERVER, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      EXTENSIONS_GALLERY: '{}',
      XDG_CONFIG_HOME: path.join(runDir, 'xdg-config'),
      XDG_DATA_HOME: path.join(runDir, 'xdg-data'),
      TMPDIR: path.join(runDir, 'tmp'),
    },
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`code-server healthz on ${url}`, async () => {
      if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}; see ${runDir}/code-server.log`);
      const response = await fetch(`${url}/healthz`).catch(() => undefined);
      return response?.ok === true;
    }, 30_000);
  } catch (error) {
    await stopGroup(child, exited);
    throw error;
  }
  return { url, port, runDir, userDataDir, workspace, stop: () => stopGroup(child, exited) };
}

async function stopGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Copies extension folders into an extensions folder and lists them in its extensions.json, as an install would. */
function installFolders(extensionsDir: string, folders: string[]): void {
  if (folders.length === 0) return;
  const manifest = folders.map((folder) => {
    const pkg = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
    const id = `${pkg.publisher}.${pkg.name}`;
    const relativeLocation = `${id}-${pkg.version}`;
    const location = path.join(extensionsDir, relativeLocation);
    cpSync(folder, location, { recursive: true });
    return { identifier: { id }, version: pkg.version, location: { $mid: 1, scheme: 'file', path: location }, relativeLocation, metadata: { installedTimestamp: Date.now(), source: 'vsix' } };
  });
  writeFileSync(path.join(extensionsDir, 'extensions.json'), JSON.stringify(manifest));
}
