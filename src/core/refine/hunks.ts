/**
 * Hunks of a proposed change, computed with the `diff` package (structuredPatch, no context
 * lines, so every separate change is its own hunk to accept or reject). A hunk carries the
 * exact text it removes and adds, line endings included, so applying any subset of hunks is
 * byte-exact: CRLF files, a missing final newline and untouched regions come out unchanged.
 */
import { applyPatch, structuredPatch } from 'diff';

export interface Hunk {
  /** Position in the list computeHunks returned: the id accept/reject decisions use. */
  index: number;
  /** 0-based first line of the original the hunk replaces (for an insertion: the line it goes before). */
  oldStart: number;
  oldLines: number;
  /** 0-based first line of the hunk in the proposed text. */
  newStart: number;
  newLines: number;
  /** Exact original text the hunk replaces (whole lines with their line endings). */
  removed: string;
  /** Exact text that replaces it. */
  added: string;
}

/** Splits text into lines that keep their line endings; joining them gives the text back. */
export function splitLinesKeepingEnds(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function computeHunks(original: string, proposed: string): Hunk[] {
  if (original === proposed) return [];
  const oldLines = splitLinesKeepingEnds(original);
  const newLines = splitLinesKeepingEnds(proposed);
  const patch = structuredPatch('original', 'proposed', original, proposed, undefined, undefined, { context: 0 });
  // structuredPatch's starts are 1-based even for pure insertions/deletions (the line the change sits before).
  return patch.hunks.map((h, index) => {
    const oldStart = h.oldStart - 1;
    const newStart = h.newStart - 1;
    return {
      index,
      oldStart,
      oldLines: h.oldLines,
      newStart,
      newLines: h.newLines,
      removed: oldLines.slice(oldStart, oldStart + h.oldLines).join(''),
      added: newLines.slice(newStart, newStart + h.newLines).join(''),
    };
  });
}

/**
 * The original with the chosen hunks applied and every other hunk left as it was.
 * `hunks` must come from computeHunks(original, …).
 */
export function applyHunks(original: string, hunks: readonly Hunk[], accept: (hunk: Hunk) => boolean): string {
  const lines = splitLinesKeepingEnds(original);
  let out = '';
  let next = 0;
  for (const hunk of [...hunks].sort((a, b) => a.oldStart - b.oldStart)) {
    out += lines.slice(next, hunk.oldStart).join('');
    out += accept(hunk) ? hunk.added : hunk.removed;
    next = hunk.oldStart + hunk.oldLines;
  }
  return out + lines.slice(next).join('');
}

export interface Rebased {
  /** The proposal carried over onto the new text (the new text itself plus every hunk that still fits). */
  proposed: string;
  /** Hunks of the old proposal that no longer fit (the text they change was edited meanwhile). */
  dropped: Hunk[];
}

/**
 * Carries a proposal made against `base` over to `current` (the file after someone edited
 * it): each hunk is re-applied where its text and a line of context still match, wherever
 * that text moved; a hunk whose text was edited is dropped and reported. The user's own
 * edits are kept, never reverted.
 */
export function rebaseProposal(base: string, proposed: string, current: string): Rebased {
  if (base === current) return { proposed, dropped: [] };
  const hunks = computeHunks(base, proposed);
  const withContext = structuredPatch('base', 'proposed', base, proposed, undefined, undefined, { context: 1 });
  let result = current;
  const dropped: Hunk[] = [];
  // One patch hunk (with a line of context) per hunk of ours: with context 1, nearby hunks can
  // merge into one patch hunk, so map by line ranges instead of by position.
  for (const patchHunk of withContext.hunks) {
    const applied = applyPatch(result, { ...withContext, hunks: [patchHunk] });
    const covered = hunks.filter((h) => h.oldStart >= patchHunk.oldStart - 1 && h.oldStart + h.oldLines <= patchHunk.oldStart - 1 + patchHunk.oldLines);
    if (applied === false) dropped.push(...covered);
    else result = applied;
  }
  return { proposed: result, dropped };
}
