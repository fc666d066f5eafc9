/**
 * Temporary coSTAR workspaces for tests: a costar.yaml, scenario files and fixture agents,
 * in a fresh folder under the OS temp dir, removed by `dispose()`.
 */
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURE_AGENTS = path.join(REPO_ROOT, 'test', 'fixtures', 'agents');
export const HARNESS = path.join(REPO_ROOT, 'dist', 'harness.js');
export const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

export interface TempWorkspace {
  dir: string;
  write(relative: string, text: string): string;
  dispose(): void;
}

export function tempWorkspace(files: Record<string, string> = {}): TempWorkspace {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'costar-test-'));
  const write = (relative: string, text: string) => {
    const file = path.join(dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };
  for (const [relative, text] of Object.entries(files)) write(relative, text);
  return { dir, write, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A costar.yaml whose agents run fixture scripts from test/fixtures/agents with `node`. */
export function configWithFixtureAgents(agents: Record<string, string[]>, extra = ''): string {
  const lines = ['agents:'];
  for (const [name, args] of Object.entries(agents)) {
    const argv = [process.execPath, path.join(FIXTURE_AGENTS, args[0]!), ...args.slice(1)];
    lines.push(`  ${name}:`, `    command: ${JSON.stringify(argv)}`);
  }
  return `${lines.join('\n')}\n${extra}`;
}

/**
 * True while a process with this pid runs. A zombie (dead, not yet reaped by its new parent,
 * which in a container may be an init that never reaps) counts as dead.
 */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * A private copy of the bundled example workspace (`scenarios/`, without its `.costar/`).
 * The example agent imports the OpenTelemetry SDK: a `node_modules` link to the repository's
 * lets it resolve from the temp folder.
 */
export function copyExampleWorkspace(): TempWorkspace {
  const ws = tempWorkspace();
  cpSync(path.join(REPO_ROOT, 'scenarios'), ws.dir, { recursive: true, filter: (src) => !src.split(path.sep).includes('.costar') });
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(ws.dir, 'node_modules'), 'dir');
  return ws;
}
