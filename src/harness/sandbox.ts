/**
 * A fresh folder per scenario attempt, filled from the scenario's `setup`, and the
 * before/after comparison that turns what the agent wrote into trace artifacts.
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
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
  /** inode, size, mtime and ctime: equal stamps mean unchanged content (ctime cannot be set back). */
  stamp: string;
}

export type Snapshot = Map<string, FileState>;

/**
 * Hashes every regular file under `dir` (sorted, '/'-separated paths) by streaming it, so a
 * file of any size costs one buffer of memory. A file whose stamp is unchanged since
 * `previous` keeps its hash without being read again.
 */
export async function snapshot(dir: string, limits: SandboxLimits = DEFAULT_SANDBOX_LIMITS, previous?: Snapshot): Promise<Snapshot> {
  const result: Snapshot = new Map();
  for (const rel of await listFiles(dir, limits.maxFiles)) {
    const file = path.join(dir, rel);
    let stats: import('node:fs').BigIntStats;
    try {
      stats = await fs.stat(file, { bigint: true });
    } catch {
      continue; // removed while we looked
    }
    if (!stats.isFile()) continue;
    const stamp = `${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
    const known = previous?.get(rel);
    if (known?.stamp === stamp) {
      result.set(rel, known);
      continue;
    }
    try {
      result.set(rel, { ...(await hashFile(file)), stamp });
    } catch {
      // Removed or made unreadable while we looked: it is not an artifact.
    }
  }
  return result;
}

/** What changed between two snapshots, with text content for small text files. */
export async function collectArtifacts(dir: string, before: Snapshot, limits: SandboxLimits = DEFAULT_SANDBOX_LIMITS): Promise<Artifact[]> {
  const artifacts: Artifact[] = [];
  const after = await snapshot(dir, limits, before);
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

async function hashFile(file: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  // One buffer, reused for every read: memory stays flat whatever the file's size.
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  // O_NONBLOCK: should the file have become a FIFO since it was listed, opening must not wait for a writer.
  const handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  let size = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { size, sha256: hash.digest('hex') };
}

export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
