/**
 * The golden-set store: `golden/<judge-id>.jsonl` in the workspace, one label per line.
 *
 * How writes stay safe with several writers (two panels, a panel and a script, two people on
 * a shared folder):
 *  - Every change happens under a lock file `<file>.lock`, created atomically with its owner's
 *    pid and time in it (a hard link of a written temp file: only one process can create it).
 *    A lock whose owner is dead, older than STALE_LOCK_MS, or empty/unreadable and older than
 *    OWNERLESS_LOCK_MS is broken — a crash never blocks the store forever.
 *  - Appends are one `write` of whole lines to a file opened with O_APPEND, then fsync.
 *  - A crash mid-append can still leave a last line without its newline. The next append sees
 *    that (under the lock) and starts with a newline, so the broken fragment stays a line of
 *    its own: readers report it as `file:line` and every other label is kept.
 *  - Removing a label (undo) rewrites the whole file atomically (temp file + rename) under
 *    the same lock, so readers see the old file or the new one, never a mix.
 */
import { constants, promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { writeError, writeFileAtomic } from '../util/atomicWrite';
import { GoldenLabel, labelKey } from './label';
import { listDir } from '../util/files';
import { escapeFileName } from '../scenario/yamlSource';

export const DEFAULT_GOLDEN_FOLDER = 'golden';
const SUFFIX = '.jsonl';
/** A lock held longer than this is from a writer that hung or died on another machine. */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 10_000;
/** A lock without a readable owner is broken after this: no live writer leaves one that long. */
const OWNERLESS_LOCK_MS = 2_000;

export interface GoldenProblem {
  file: string;
  /** 1-based line number. */
  line: number;
  message: string;
}

export interface GoldenRead {
  file: string;
  labels: GoldenLabel[];
  /** Lines that could not be read, with where and why; the other labels are still returned. */
  problems: GoldenProblem[];
}

export function goldenDir(workspaceDir: string, folder = DEFAULT_GOLDEN_FOLDER): string {
  return path.resolve(workspaceDir, folder);
}

export function goldenFile(workspaceDir: string, judgeId: string, folder = DEFAULT_GOLDEN_FOLDER): string {
  // The id becomes a file name: only judge ids, so nothing can escape the folder.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(judgeId) || judgeId.includes('..')) throw new Error(`not a judge id: ${JSON.stringify(judgeId)}`);
  return path.join(goldenDir(workspaceDir, folder), `${judgeId}${SUFFIX}`);
}

export function formatGoldenProblem(problem: GoldenProblem): string {
  return `${escapeFileName(problem.file)}:${problem.line}: ${problem.message}`;
}

/** Parses the text of a golden file; never throws for bad lines. */
export function parseGoldenText(text: string, file: string): GoldenRead {
  const labels: GoldenLabel[] = [];
  const problems: GoldenProblem[] = [];
  const lines = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const last = i === lines.length - 1 && !endsWithNewline;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (error) {
      problems.push({
        file,
        line: i + 1,
        message: last || !lineEndsLikeJson(line)
          ? 'truncated label (the line ends mid-record, probably a crash while appending); delete the line or label that trace again'
          : `not JSON (${(error as Error).message}); fix or delete the line`,
      });
      continue;
    }
    const parsed = GoldenLabel.safeParse(data);
    if (!parsed.success) {
      problems.push({ file, line: i + 1, message: `not a valid label: ${parsed.error.issues.map((x) => `${x.path.join('.') || 'label'}: ${x.message}`).join('; ')}` });
      continue;
    }
    labels.push(parsed.data);
  }
  return { file, labels, problems };
}

function lineEndsLikeJson(line: string): boolean {
  return line.trimEnd().endsWith('}');
}

export async function readLabels(workspaceDir: string, judgeId: string, folder?: string): Promise<GoldenRead> {
  const file = goldenFile(workspaceDir, judgeId, folder);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { file, labels: [], problems: [] };
    throw error;
  }
  return parseGoldenText(text, file);
}

/** Judge ids that have a golden file. */
export async function listGoldenJudges(workspaceDir: string, folder?: string): Promise<string[]> {
  const names = await listDir(goldenDir(workspaceDir, folder));
  return names.filter((n) => n.endsWith(SUFFIX)).map((n) => n.slice(0, -SUFFIX.length));
}

/**
 * Ids of every trace some label refers to. Labels keep their traces alive: anything that
 * deletes stored traces must keep these.
 */
export async function labelledTraceIds(workspaceDir: string, folder?: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const judgeId of await listGoldenJudges(workspaceDir, folder)) {
    for (const label of (await readLabels(workspaceDir, judgeId, folder)).labels) ids.add(label.traceRef.traceId);
  }
  return ids;
}

/** Appends labels (all of one judge) as whole lines, atomically with respect to other writers. */
export async function appendLabels(workspaceDir: string, labels: GoldenLabel[], folder?: string): Promise<void> {
  if (labels.length === 0) return;
  const judgeId = labels[0]!.judgeId;
  const lines = labels.map((label) => {
    if (label.judgeId !== judgeId) throw new Error(`appendLabels: labels of several judges (${judgeId}, ${label.judgeId}); append each judge's labels separately`);
    return `${JSON.stringify(GoldenLabel.parse(label))}\n`;
  });
  const file = goldenFile(workspaceDir, judgeId, folder);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await withLock(file, async () => {
    const handle = await fs.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, 0o644);
    try {
      const { size } = await handle.stat();
      const lead = size > 0 && !(await lastByteIsNewline(file, size)) ? '\n' : '';
      try {
        await handle.write(lead + lines.join(''));
        await handle.sync();
      } catch (error) {
        // A short append leaves a partial last line, which the next append and readers handle.
        throw writeError(error, file);
      }
    } finally {
      await handle.close();
    }
  });
}

/** Removes the labels whose key (see labelKey) is given; returns how many were removed. Bad lines are kept as they are. */
export async function removeLabels(workspaceDir: string, judgeId: string, keys: ReadonlySet<string>, folder?: string): Promise<number> {
  const file = goldenFile(workspaceDir, judgeId, folder);
  return withLock(file, async () => {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    let removed = 0;
    const kept = text.split('\n').filter((line) => {
      const parsed = line.trim() === '' ? undefined : GoldenLabel.safeParse(safeJson(line));
      if (parsed?.success && keys.has(labelKey(parsed.data))) {
        removed++;
        return false;
      }
      return true;
    });
    if (removed > 0) await writeFileAtomic(file, kept.join('\n'));
    return removed;
  });
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

async function lastByteIsNewline(file: string, size: number): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(1);
    await handle.read(buffer, 0, 1, size - 1);
    return buffer[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

async function withLock<T>(file: string, body: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      await createLock(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await breakStaleLock(lock)) continue;
      if (Date.now() > deadline) throw new Error(`${lock}: another writer has held this lock for over ${LOCK_WAIT_MS / 1000} s; if no coSTAR process is labelling, delete the lock file`);
      // Short, growing, jittered waits: writers hold the lock for one append only.
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, 2 + attempt * 2) * (0.5 + Math.random())));
    }
  }
  try {
    return await body();
  } finally {
    await fs.rm(lock, { force: true });
  }
}

/**
 * Creates the lock with its owner already written: the owner goes into a temp file, which is
 * then hard-linked to the lock name (link fails with EEXIST like O_EXCL does). So a kill can't
 * leave an empty lock behind — there is no moment at which the lock exists without its owner.
 */
async function createLock(lock: string): Promise<void> {
  // A dot name, like every temp file: store listings skip it.
  const temp = path.join(path.dirname(lock), `.${path.basename(lock)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  await fs.writeFile(temp, JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now() }), { flag: 'wx', mode: 0o644 });
  try {
    await fs.link(temp, lock);
  } finally {
    await fs.rm(temp, { force: true });
  }
}

/**
 * Removes a lock left by a dead process or one held impossibly long; true when it did. A lock
 * with no readable owner (empty or garbled: written by an older version that was killed between
 * creating and writing it, or damaged on disk) is judged by its age alone.
 */
async function breakStaleLock(lock: string): Promise<boolean> {
  let text: string;
  let modified: number;
  try {
    text = await fs.readFile(lock, 'utf8');
    modified = (await fs.stat(lock)).mtimeMs;
  } catch {
    return false; // removed meanwhile: try to take it again
  }
  let owner: { pid?: unknown; host?: unknown; time?: unknown } | undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object') owner = parsed as typeof owner;
  } catch {
    owner = undefined;
  }
  // A pid means something only on the machine that wrote it (the folder may be shared).
  const dead = typeof owner?.pid === 'number' && owner.host === hostname() && !processAlive(owner.pid);
  const since = typeof owner?.time === 'number' ? owner.time : modified;
  const old = Date.now() - since > (owner && typeof owner.pid === 'number' ? STALE_LOCK_MS : OWNERLESS_LOCK_MS);
  if (!dead && !old) return false;
  // Two writers may both find the same stale lock; the window in which the second one removes
  // the first one's fresh lock is this one call, and only after a writer crashed.
  await fs.rm(lock, { force: true });
  return true;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
