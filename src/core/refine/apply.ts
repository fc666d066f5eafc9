/**
 * Writes accepted hunks of a change set to disk (CLI and tests; the editor applies through a
 * WorkspaceEdit instead). Confinement is checked again here: the file system may have changed
 * since the proposal (a folder replaced by a symlink). A file edited since the proposal gets
 * the accepted hunks carried over onto its current text; a hunk that no longer fits is an
 * error, and nothing is written for that file. Writes are atomic.
 */
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../util/atomicWrite';
import { originalText, type FileChange } from './changeSet';
import type { SourceFolders } from './confinement';
import { applyHunks, computeHunks, rebaseProposal } from './hunks';

export interface FileDecision {
  path: string;
  /** Indexes of the accepted hunks (computeHunks(original, proposed)); the rest are rejected. */
  accepted: number[];
}

export interface AppliedFile {
  path: string;
  accepted: number[];
  rejected: number[];
  /** False when every hunk was rejected: the file was not touched. */
  written: boolean;
  /**
   * The review ended without an answer for the undecided hunks (counted as rejected): the
   * developer discarded the proposal, or closed every editor of the file.
   */
  endedBy?: 'discarded' | 'editor-closed';
}

export async function applyFileChange(sources: SourceFolders, change: FileChange, accepted: ReadonlySet<number> | 'all'): Promise<AppliedFile> {
  const { abs, rel } = await sources.require(change.path);
  const hunks = computeHunks(originalText(change), change.proposed);
  const isAccepted = (index: number) => accepted === 'all' || accepted.has(index);
  const result: AppliedFile = {
    path: rel,
    accepted: hunks.filter((h) => isAccepted(h.index)).map((h) => h.index),
    rejected: hunks.filter((h) => !isAccepted(h.index)).map((h) => h.index),
    written: false,
  };
  if (result.accepted.length === 0) return result;
  const target = applyHunks(originalText(change), hunks, (h) => isAccepted(h.index));
  const current = await readOrNull(abs);
  let text = target;
  if (current !== change.original) {
    if (current === null) throw new Error(`${rel} was deleted after the proposal was made; nothing was written`);
    if (change.original === null) throw new Error(`${rel} was created by someone else after the proposal was made; nothing was written`);
    const rebased = rebaseProposal(change.original, target, current);
    if (rebased.dropped.length > 0) {
      throw new Error(`${rel} changed since the proposal and ${rebased.dropped.length} accepted hunk(s) no longer fit; nothing was written: refine again`);
    }
    text = rebased.proposed;
  }
  await writeFileAtomic(abs, text);
  return { ...result, written: true };
}

async function readOrNull(abs: string): Promise<string | null> {
  try {
    return await fs.readFile(abs, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
