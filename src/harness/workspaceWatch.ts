/**
 * Writes outside the sandbox that the harness can see: a cheap lstat snapshot of the
 * workspace before the agent starts and after it ends, compared. An agent that writes through
 * $COSTAR_WORKSPACE, `../`, an absolute path or a symlink in its sandbox changes a file here
 * (the inode's ctime moves even when mtime is forged). Not watched: `.costar/` (the harness
 * writes traces, reports and other attempts' sandboxes there while this attempt runs), `.git/`
 * and `node_modules/` (large, and not what judges read); `isolation: bubblewrap` makes all of
 * the workspace read-only instead.
 */
import { lstatSync, readdirSync, type Dirent, type Stats } from 'node:fs';
import * as path from 'node:path';
import { COSTAR_DIR } from '../core/layout';

export type OutsideWriteChange = 'created' | 'changed' | 'deleted';

export interface OutsideWrite {
  /** Workspace-relative, with forward slashes. */
  path: string;
  change: OutsideWriteChange;
}

export interface WorkspaceState {
  entries: Map<string, string>;
  /** More entries than WATCH_LIMIT: the rest was not watched. */
  truncated: boolean;
}

const NOT_WATCHED = new Set([COSTAR_DIR, '.git', 'node_modules']);
/** Entries watched at most: beyond it a scan would cost more than the attempt it guards. */
export const WATCH_LIMIT = 50_000;

/** Entries stat'ed between two yields to the event loop (sync calls are ~6× faster than async ones here). */
const CHUNK = 1000;

export async function scanWorkspace(workspaceDir: string): Promise<WorkspaceState> {
  const entries = new Map<string, string>();
  const pending: string[] = [''];
  let sinceYield = 0;
  while (pending.length > 0) {
    const rel = pending.pop()!;
    let children: Dirent[];
    try {
      children = readdirSync(path.join(workspaceDir, rel), { withFileTypes: true });
    } catch {
      continue; // removed while scanning, or unreadable: the parent's entry records what changed
    }
    for (const child of children) {
      if (rel === '' && NOT_WATCHED.has(child.name)) continue;
      if (entries.size >= WATCH_LIMIT) return { entries, truncated: true };
      const childRel = rel === '' ? child.name : `${rel}/${child.name}`;
      const stat = lstatSync(path.join(workspaceDir, childRel), { throwIfNoEntry: false });
      if (!stat) continue;
      entries.set(childRel, signature(stat));
      if (stat.isDirectory()) pending.push(childRel);
      // Keep the harness responsive: other attempts' timers and output must not wait for a scan.
      if (++sinceYield >= CHUNK) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }
  return { entries, truncated: false };
}

/**
 * One scanner per workspace, shared by the attempts running at once, so 20 concurrent
 * attempts do not scan the same tree 40 times: at most one scan runs and one waits.
 */
export class WorkspaceScanner {
  private running: Promise<WorkspaceState> | undefined;
  private next: Promise<WorkspaceState> | undefined;

  constructor(private readonly workspaceDir: string) {}

  /** Before an agent starts: any scan that ends after this call shows the state it starts from. */
  current(): Promise<WorkspaceState> {
    return this.running ?? this.fresh();
  }

  /** After an agent ended: a scan that starts after this call (the running one may predate the agent's last write). */
  fresh(): Promise<WorkspaceState> {
    if (!this.running) return this.start();
    return (this.next ??= this.running.then(() => {
      this.next = undefined;
      return this.start();
    }));
  }

  private start(): Promise<WorkspaceState> {
    const scan = scanWorkspace(this.workspaceDir).finally(() => {
      if (this.running === scan) this.running = undefined;
    });
    this.running = scan;
    return scan;
  }
}

const scanners = new Map<string, WorkspaceScanner>();

export function scannerFor(workspaceDir: string): WorkspaceScanner {
  let scanner = scanners.get(workspaceDir);
  if (!scanner) scanners.set(workspaceDir, (scanner = new WorkspaceScanner(workspaceDir)));
  return scanner;
}

/** Folders are compared by existence and mode only: their mtime moves with every file in them. */
function signature(stat: Stats): string {
  if (stat.isDirectory()) return `d:${stat.mode}:${stat.ino}`;
  const kind = stat.isSymbolicLink() ? 'l' : stat.isFile() ? 'f' : 'o';
  return `${kind}:${stat.mode}:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
}

export function compareWorkspace(before: WorkspaceState, after: WorkspaceState): OutsideWrite[] {
  const writes: OutsideWrite[] = [];
  for (const [rel, sig] of after.entries) {
    const was = before.entries.get(rel);
    if (was === undefined) writes.push({ path: rel, change: 'created' });
    else if (was !== sig) writes.push({ path: rel, change: 'changed' });
  }
  for (const rel of before.entries.keys()) if (!after.entries.has(rel)) writes.push({ path: rel, change: 'deleted' });
  return writes.sort((a, b) => a.path.localeCompare(b.path));
}

/** One sentence: what changed (the first few), and what it means. */
export function describeOutsideWrites(writes: OutsideWrite[]): string {
  const shown = writes.slice(0, 5).map((w) => `${w.path} (${w.change})`).join(', ');
  const more = writes.length > 5 ? ` and ${writes.length - 5} more` : '';
  return (
    `${writes.length} workspace file${writes.length === 1 ? '' : 's'} outside the sandbox changed while the agent ran: ${shown}${more}. ` +
    'Judges ran from their snapshot, but what else the agent touched is unknown; run it under isolation: bubblewrap, ' +
    'or set sandbox.outsideWrites: warn in costar.yaml if these writes are expected (another process, your editor)'
  );
}
