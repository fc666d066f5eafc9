/**
 * A fresh folder per scenario attempt, filled from the scenario's `setup`, and the
 * before/after comparison that turns what the agent wrote into trace artifacts.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Artifact } from '../core/trace/model';

export interface SandboxLimits {
  /** Text content is kept up to this many bytes per file; beyond it only the hash. */
  textCapBytes: number;
  /** Files looked at, at most (a runaway agent can write millions). */
  maxFiles: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = { textCapBytes: 256 * 1024, maxFiles: 5000 };

/** Copies `files` (sandbox path → absolute source) into an empty `dir`. */
export async function createSandbox(dir: string, files: Record<string, string>): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  for (const [target, source] of Object.entries(files)) {
    const destination = path.resolve(dir, target);
    if (!isInside(dir, destination)) throw new Error(`setup file "${target}" would be written outside the sandbox`);
    await fs.mkdir(path.dirname(destination), { recursive: true });
    await fs.cp(source, destination, { recursive: true, dereference: true });
  }
}

export interface FileState {
  size: number;
  sha256: string;
}

export type Snapshot = Map<string, FileState>;

/** Hashes every regular file under `dir` (sorted, '/'-separated paths). */
export async function snapshot(dir: string, limits: SandboxLimits = DEFAULT_SANDBOX_LIMITS): Promise<Snapshot> {
  const result: Snapshot = new Map();
  for (const rel of await listFiles(dir, limits.maxFiles)) {
    const data = await fs.readFile(path.join(dir, rel));
    result.set(rel, { size: data.length, sha256: sha256(data) });
  }
  return result;
}

/** What changed between two snapshots, with text content for small text files. */
export async function collectArtifacts(dir: string, before: Snapshot, limits: SandboxLimits = DEFAULT_SANDBOX_LIMITS): Promise<Artifact[]> {
  const artifacts: Artifact[] = [];
  const after = await snapshot(dir, limits);
  for (const [rel, state] of after) {
    const previous = before.get(rel);
    if (previous && previous.sha256 === state.sha256) continue;
    const artifact: Artifact = { path: rel, size: state.size, sha256: state.sha256, change: previous ? 'modified' : 'created' };
    if (state.size <= limits.textCapBytes) {
      const data = await fs.readFile(path.join(dir, rel));
      if (!data.includes(0)) artifact.text = data.toString('utf8');
    }
    artifacts.push(artifact);
  }
  for (const [rel, state] of before) {
    if (!after.has(rel)) artifacts.push({ path: rel, size: state.size, sha256: state.sha256, change: 'deleted' });
  }
  return artifacts.sort((a, b) => a.path.localeCompare(b.path));
}

async function listFiles(root: string, maxFiles: number): Promise<string[]> {
  const files: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (files.length >= maxFiles) return;
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      // Dependency folders are installed, not produced: they would drown the artifacts.
      if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== '.git') await walk(child);
      else if (entry.isFile()) files.push(child);
    }
  };
  await walk('');
  return files;
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
