/**
 * Pending refine proposals in open documents. The document itself is never changed by a
 * proposal: it stays the user's text, and the proposal is kept as the text the document
 * would have with every pending hunk accepted. Hunks are always recomputed against the live
 * document, so they stay correct while the user edits: an edit of the user's is carried into
 * the proposal (rebaseProposal), and a hunk whose lines the user rewrote is dropped.
 * Accepting applies one WorkspaceEdit (one undo step); rejecting only changes the proposal,
 * so the file stays byte-identical.
 */
import type * as vscodeTypes from 'vscode';
import type { FileChange } from '../../core/refine/changeSet';
import type { AppliedFile } from '../../core/refine/apply';
import { applyHunks, computeHunks, rebaseProposal, splitLinesKeepingEnds, type Hunk } from '../../core/refine/hunks';
import type { VSCode } from '../vscodeApi';

/** Identifies a hunk across recomputations: where it was and what it changes. */
export interface HunkRef {
  uri: string;
  oldStart: number;
  removed: string;
  added: string;
}

interface PendingFile {
  uri: vscodeTypes.Uri;
  change: FileChange;
  /** The refinement the proposal belongs to (Discard ends all of its files). */
  refinementId: string;
  /** The document text the proposal was last brought up to date with. */
  base: string;
  /** `base` with every pending hunk applied. */
  proposed: string;
  /** Hunks of the original proposal, for reporting decisions by their original index. */
  originalHunks: Hunk[];
  accepted: number[];
  rejected: number[];
  /** Hunks lost because the user rewrote their lines. */
  dropped: number;
}

export class InlineProposals implements vscodeTypes.Disposable {
  private readonly files = new Map<string, PendingFile>();
  private readonly changed: vscodeTypes.EventEmitter<vscodeTypes.Uri>;
  private readonly resolved: vscodeTypes.EventEmitter<AppliedFile>;
  private readonly discarded: vscodeTypes.EventEmitter<string>;
  private readonly disposables: vscodeTypes.Disposable[] = [];
  /** Set while our own WorkspaceEdit runs: its document change is an acceptance, not a user edit. */
  private applying = 0;

  /** A file's pending hunks changed (decorations, CodeLens and the diff view redraw). */
  readonly onDidChange: vscodeTypes.Event<vscodeTypes.Uri>;
  /** Every hunk of a file was decided. */
  readonly onDidResolve: vscodeTypes.Event<AppliedFile>;
  /** A refinement's proposal was discarded (its id): every file of it ended without answers. */
  readonly onDidDiscard: vscodeTypes.Event<string>;

  constructor(private readonly vscode: VSCode) {
    this.changed = new vscode.EventEmitter<vscodeTypes.Uri>();
    this.resolved = new vscode.EventEmitter<AppliedFile>();
    this.onDidChange = this.changed.event;
    this.onDidResolve = this.resolved.event;
    this.discarded = new vscode.EventEmitter<string>();
    this.onDidDiscard = this.discarded.event;
    this.disposables.push(this.changed, this.resolved, this.discarded, vscode.workspace.onDidChangeTextDocument((e) => this.documentChanged(e)));
  }

  /** Shows a proposal in the file's document (which must be open: the caller opens it). */
  add(uri: vscodeTypes.Uri, change: FileChange, refinementId: string): void {
    const live = this.liveText(uri) ?? '';
    const original = change.original ?? '';
    // The buffer may already differ from what the assistant read (unsaved edits): carry the proposal over.
    const proposed = live === original ? change.proposed : rebaseProposal(original, change.proposed, live).proposed;
    this.files.set(uri.toString(), {
      uri, change, refinementId, base: live, proposed,
      originalHunks: computeHunks(original, change.proposed),
      accepted: [], rejected: [], dropped: 0,
    });
    this.changed.fire(uri);
    this.resolveIfDone(uri.toString());
  }

  has(uri: vscodeTypes.Uri): boolean {
    return this.files.has(uri.toString());
  }

  pendingUris(): vscodeTypes.Uri[] {
    return [...this.files.values()].map((f) => f.uri);
  }

  /** The refinement whose proposal a file shows. */
  refinementOf(uri: vscodeTypes.Uri): string | undefined {
    return this.files.get(uri.toString())?.refinementId;
  }

  /** Discards a refinement's proposal: every pending hunk of its files counts as rejected. */
  discard(refinementId: string): void {
    for (const file of [...this.files.values()].filter((f) => f.refinementId === refinementId)) this.endReview(file.uri, 'discarded');
    this.discarded.fire(refinementId);
  }

  /**
   * Ends the review of a file without an answer for its pending hunks: they count as rejected
   * (the document is not touched) and the decision records how the review ended.
   */
  endReview(uri: vscodeTypes.Uri, endedBy: NonNullable<AppliedFile['endedBy']>): boolean {
    const file = this.files.get(uri.toString());
    const live = this.liveText(uri) ?? file?.base;
    if (!file || live === undefined) return false;
    const pending = computeHunks(live, file.proposed);
    for (const hunk of pending) this.decide(file, hunk, 'rejected');
    file.proposed = live;
    file.base = live;
    this.changed.fire(uri);
    this.resolveIfDone(uri.toString(), pending.length > 0 ? endedBy : undefined);
    return true;
  }

  explanation(uri: vscodeTypes.Uri): string | undefined {
    return this.files.get(uri.toString())?.change.explanation;
  }

  /** The document's text with every pending hunk applied (the right side of the diff view). */
  proposedText(uri: vscodeTypes.Uri): string | undefined {
    return this.files.get(uri.toString())?.proposed;
  }

  /** Pending hunks, computed against the live document. */
  hunks(uri: vscodeTypes.Uri): Hunk[] {
    const file = this.files.get(uri.toString());
    const live = this.liveText(uri);
    if (!file || live === undefined) return [];
    return computeHunks(live, file.proposed);
  }

  refOf(uri: vscodeTypes.Uri, hunk: Hunk): HunkRef {
    return { uri: uri.toString(), oldStart: hunk.oldStart, removed: hunk.removed, added: hunk.added };
  }

  async accept(uri: vscodeTypes.Uri, ref?: HunkRef): Promise<boolean> {
    const document = this.vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const file = this.files.get(uri.toString());
    if (!document || !file) return false;
    const hunks = computeHunks(document.getText(), file.proposed);
    const chosen = ref ? [find(hunks, ref)].filter((h): h is Hunk => h !== undefined) : hunks;
    if (chosen.length === 0) return false;
    const edit = new this.vscode.WorkspaceEdit();
    const lineOffsets = offsetsOfLines(document.getText());
    for (const hunk of chosen) {
      const range = new this.vscode.Range(document.positionAt(lineOffsets[hunk.oldStart]!), document.positionAt(lineOffsets[hunk.oldStart + hunk.oldLines]!));
      edit.replace(uri, range, hunk.added);
    }
    this.applying++;
    let ok: boolean;
    try {
      ok = await this.vscode.workspace.applyEdit(edit);
    } finally {
      this.applying--;
    }
    if (ok) {
      for (const hunk of chosen) this.decide(file, hunk, 'accepted');
      file.base = document.getText();
      this.changed.fire(uri);
      this.resolveIfDone(uri.toString());
    }
    return ok;
  }

  /** Drops hunks from the proposal; the document is not touched. */
  reject(uri: vscodeTypes.Uri, ref?: HunkRef): boolean {
    const file = this.files.get(uri.toString());
    const live = this.liveText(uri);
    if (!file || live === undefined) return false;
    const hunks = computeHunks(live, file.proposed);
    const chosen = ref ? find(hunks, ref) : undefined;
    if (ref && !chosen) return false;
    for (const hunk of chosen ? [chosen] : hunks) this.decide(file, hunk, 'rejected');
    file.proposed = chosen ? applyHunks(live, hunks, (h) => h !== chosen) : live;
    file.base = live;
    this.changed.fire(uri);
    this.resolveIfDone(uri.toString());
    return true;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.files.clear();
  }

  private documentChanged(event: vscodeTypes.TextDocumentChangeEvent): void {
    const key = event.document.uri.toString();
    const file = this.files.get(key);
    if (!file || event.contentChanges.length === 0) return;
    const live = event.document.getText();
    if (this.applying === 0) {
      const rebased = rebaseProposal(file.base, file.proposed, live);
      file.proposed = rebased.proposed;
      file.dropped += rebased.dropped.length;
    }
    file.base = live;
    this.changed.fire(file.uri);
    // During our own edit, accept() records the decision first and then resolves.
    if (this.applying === 0) this.resolveIfDone(key);
  }

  /** Maps a live hunk back to the original proposal's hunk with the same change, for the history. */
  private decide(file: PendingFile, hunk: Hunk, decision: 'accepted' | 'rejected'): void {
    const used = new Set([...file.accepted, ...file.rejected]);
    const original = file.originalHunks.find((h) => !used.has(h.index) && h.removed === hunk.removed && h.added === hunk.added);
    if (original) file[decision].push(original.index);
  }

  private resolveIfDone(key: string, endedBy?: AppliedFile['endedBy']): void {
    const file = this.files.get(key);
    if (!file || (endedBy === undefined && this.hunks(file.uri).length > 0)) return;
    this.files.delete(key);
    this.resolved.fire({
      path: file.change.path,
      accepted: [...file.accepted].sort((a, b) => a - b),
      rejected: [...file.rejected].sort((a, b) => a - b),
      written: file.accepted.length > 0,
      ...(endedBy ? { endedBy } : {}),
    });
  }

  private liveText(uri: vscodeTypes.Uri): string | undefined {
    return this.vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())?.getText();
  }
}

function find(hunks: Hunk[], ref: HunkRef): Hunk | undefined {
  const same = (h: Hunk) => h.removed === ref.removed && h.added === ref.added;
  return hunks.find((h) => same(h) && h.oldStart === ref.oldStart) ?? hunks.find(same);
}

/** offsets[i] = character offset where line i starts; offsets[lineCount] = text length. */
export function offsetsOfLines(text: string): number[] {
  const offsets = [0];
  for (const line of splitLinesKeepingEnds(text)) offsets.push(offsets.at(-1)! + line.length);
  return offsets;
}
