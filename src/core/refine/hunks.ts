/**
 * Hunks of a proposed change, computed with the `diff` package (structuredPatch, no context
 * lines, so every separate change is its own hunk to accept or reject). A hunk carries the
 * exact text it removes and adds, line endings included, so applying any subset of hunks is
 * byte-exact: CRLF files, a missing final newline and untouched regions come out unchanged.
 */
import { structuredPatch } from 'diff';

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
 * it). The user's edit is itself a set of hunks (base → current); every proposal hunk that
 * does not overlap one of them moves by the lines inserted or deleted above it and is
 * re-applied there, exactly (no fuzzy matching); a hunk whose lines the user changed is
 * dropped and reported. Edits on the lines next to a hunk don't disturb it, and the user's
 * own edits are kept, never reverted.
 */
export function rebaseProposal(base: string, proposed: string, current: string): Rebased {
  if (base === current) return { proposed, dropped: [] };
  const ours = computeHunks(base, proposed);
  const theirs = computeHunks(base, current);
  const lines = splitLinesKeepingEnds(current);
  const kept: Hunk[] = [];
  const dropped: Hunk[] = [];
  for (const hunk of ours) {
    if (theirs.some((user) => overlaps(hunk, user))) {
      dropped.push(hunk);
      continue;
    }
    const shift = theirs.filter((user) => user.oldStart + user.oldLines <= hunk.oldStart).reduce((sum, user) => sum + user.newLines - user.oldLines, 0);
    const moved = { ...hunk, oldStart: hunk.oldStart + shift };
    // The lines must still read as they did; if not, the hunk no longer fits.
    if (lines.slice(moved.oldStart, moved.oldStart + moved.oldLines).join('') === hunk.removed) kept.push(moved);
    else dropped.push(hunk);
  }
  return { proposed: applyHunks(current, kept, () => true), dropped };
}

/** Whether two hunks on the same text touch the same lines (touching edges don't count). */
function overlaps(a: Hunk, b: Hunk): boolean {
  const [aStart, aEnd, bStart, bEnd] = [a.oldStart, a.oldStart + a.oldLines, b.oldStart, b.oldStart + b.oldLines];
  if (a.oldLines > 0 && b.oldLines > 0) return aStart < bEnd && bStart < aEnd;
  if (a.oldLines === 0 && b.oldLines === 0) return false;
  // An insertion point conflicts only with lines replaced around it.
  const [point, start, end] = a.oldLines === 0 ? [aStart, bStart, bEnd] : [bStart, aStart, aEnd];
  return start < point && point < end;
}
