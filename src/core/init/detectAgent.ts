/**
 * `costar init` in a user's own repository: which command starts their agent. Looks for what
 * a Node or Python project declares (package.json "bin", "scripts.start", "main"; a Python
 * entry file or a package with __main__.py) and proposes it; the user can always name the
 * command instead. Nothing is run here, only files are read.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

export interface AgentCandidate {
  kind: 'node' | 'python';
  /** The argv, relative to the repository (the harness makes existing files absolute). */
  command: string[];
  /** Where the command comes from, for the user: 'package.json "bin"'. */
  from: string;
  /** A name for the agent in costar.yaml. */
  name: string;
  /** Folders Refine may edit (empty when the agent lives at the repository root). */
  source: string[];
}

export interface Detection {
  candidates: AgentCandidate[];
  /** Projects found without a way to start them, said so the user knows what to pass. */
  notes: string[];
}

const NODE_ENTRY_FILES = ['index.js', 'index.mjs', 'main.js', 'main.mjs', 'agent.js', 'agent.mjs', 'src/index.js', 'src/index.mjs', 'src/main.js', 'src/agent.js'];
const PYTHON_ENTRY_FILES = ['main.py', 'agent.py', 'app.py', '__main__.py', 'src/main.py', 'src/agent.py'];
const PYTHON_MARKERS = ['pyproject.toml', 'requirements.txt', 'setup.py', 'setup.cfg', 'Pipfile'];

export function detectAgents(dir: string): Detection {
  const notes: string[] = [];
  const candidates = [detectNode(dir, notes), detectPython(dir, notes)].filter((c): c is AgentCandidate => c !== undefined);
  return { candidates, notes };
}

function detectNode(dir: string, notes: string[]): AgentCandidate | undefined {
  const manifest = readJson(path.join(dir, 'package.json'));
  if (manifest === undefined) {
    const entry = NODE_ENTRY_FILES.find((f) => isFile(dir, f));
    return entry ? nodeCandidate(dir, entry, `${entry} (no package.json)`, undefined) : undefined;
  }
  if (manifest === null) {
    notes.push('package.json is not valid JSON: fix it, or name the command with --agent-command');
    return undefined;
  }
  const bin = typeof manifest.bin === 'string' ? manifest.bin : isRecord(manifest.bin) ? Object.values(manifest.bin).find((v) => typeof v === 'string') : undefined;
  if (typeof bin === 'string' && isFile(dir, bin)) return nodeCandidate(dir, bin, 'package.json "bin"', manifest);
  const scripts = isRecord(manifest.scripts) ? manifest.scripts : {};
  if (typeof scripts.start === 'string') {
    return { kind: 'node', command: ['npm', 'run', '--silent', 'start'], from: `package.json "scripts.start" (${scripts.start})`, name: agentName(manifest.name, dir), source: nodeSource(dir, undefined) };
  }
  if (typeof manifest.main === 'string' && isFile(dir, manifest.main)) return nodeCandidate(dir, manifest.main, 'package.json "main"', manifest);
  const entry = NODE_ENTRY_FILES.find((f) => isFile(dir, f));
  if (entry) return nodeCandidate(dir, entry, entry, manifest);
  notes.push('package.json has no "bin", "scripts.start" or "main" (and no index.js/main.js/agent.js)');
  return undefined;
}

function nodeCandidate(dir: string, entry: string, from: string, manifest: Record<string, unknown> | undefined): AgentCandidate {
  const file = path.posix.normalize(entry.replace(/\\/g, '/'));
  // TypeScript entry points run through tsx, which a TypeScript project usually has.
  const command = /\.[cm]?ts$/.test(file) ? ['npx', 'tsx', file] : ['node', file];
  return { kind: 'node', command, from, name: agentName(manifest?.name, dir), source: nodeSource(dir, file) };
}

function nodeSource(dir: string, entry: string | undefined): string[] {
  const folder = entry ? path.posix.dirname(entry) : '.';
  if (folder !== '.') return [folder.split('/')[0]!];
  return isDir(dir, 'src') ? ['src'] : [];
}

function detectPython(dir: string, notes: string[]): AgentCandidate | undefined {
  const marker = PYTHON_MARKERS.find((f) => isFile(dir, f));
  const python = pythonInterpreter(dir);
  const name = agentName(pyprojectName(dir), dir);
  const entry = PYTHON_ENTRY_FILES.find((f) => isFile(dir, f));
  if (entry) {
    const folder = path.posix.dirname(entry);
    return { kind: 'python', command: [python, entry], from: entry, name, source: folder !== '.' ? [folder] : isDir(dir, 'src') ? ['src'] : [] };
  }
  if (!marker) return undefined;
  // A package run as a module: `python -m pkg` (from the repository root, where it is importable).
  const pkg = listDirs(dir).find((d) => isFile(dir, `${d}/__main__.py`));
  if (pkg) return { kind: 'python', command: [python, '-m', pkg], from: `${pkg}/__main__.py`, name, source: [pkg] };
  notes.push(`${marker} found, but no main.py, agent.py, app.py or package with __main__.py`);
  return undefined;
}

/** The project's virtualenv when it has one (so its packages are there), else python3. */
function pythonInterpreter(dir: string): string {
  for (const venv of ['.venv', 'venv']) {
    for (const bin of ['bin/python', 'Scripts/python.exe']) if (isFile(dir, `${venv}/${bin}`)) return `${venv}/${bin}`;
  }
  return process.platform === 'win32' ? 'python' : 'python3';
}

/** `name = "..."` of pyproject.toml's [project] table; a suggestion only, so no TOML parser. */
function pyprojectName(dir: string): string | undefined {
  const text = readText(path.join(dir, 'pyproject.toml'));
  const table = text?.split(/^\[/m).find((t) => t.startsWith('project]'));
  return table ? /^name\s*=\s*["']([^"']+)["']/m.exec(table)?.[1] : undefined;
}

/** A costar.yaml agent id: letters, digits, ".", "_", "-", from the project's name or folder. */
export function agentName(declared: unknown, dir: string): string {
  const raw = typeof declared === 'string' && declared ? declared.replace(/^@[^/]+\//, '') : path.basename(path.resolve(dir));
  const cleaned = raw.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').replace(/-+$/, '');
  return cleaned || 'agent';
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** undefined: no file; null: not valid JSON (or not an object). */
function readJson(file: string): Record<string, unknown> | null | undefined {
  const text = readText(file);
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFile(dir: string, relative: string): boolean {
  try {
    return statSync(path.join(dir, relative)).isFile();
  } catch {
    return false;
  }
}

function isDir(dir: string, relative: string): boolean {
  try {
    return statSync(path.join(dir, relative)).isDirectory();
  } catch {
    return false;
  }
}

function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && /^[A-Za-z_][A-Za-z0-9_]*$/.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}
