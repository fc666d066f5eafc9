/**
 * CodeLens over each pending hunk: Accept | Reject | Show the added lines (a peek), and on
 * the first hunk of a file also Accept all | Reject all | Side-by-side. Commands carry a HunkRef, which is matched against
 * hunks recomputed at click time, so a lens stays right while the user edits.
 */
import type * as vscodeTypes from 'vscode';
import type { VSCode } from '../vscodeApi';
import type { InlineProposals } from './proposals';
import { REFINE_COMMANDS } from './commandIds';

export class ProposalCodeLens implements vscodeTypes.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscodeTypes.Event<void>;

  constructor(
    private readonly vscode: VSCode,
    private readonly proposals: InlineProposals,
  ) {
    this.onDidChangeCodeLenses = (listener, thisArg, disposables) => proposals.onDidChange(() => listener.call(thisArg), undefined, disposables);
  }

  provideCodeLenses(document: vscodeTypes.TextDocument): vscodeTypes.CodeLens[] {
    const hunks = this.proposals.hunks(document.uri);
    const lenses: vscodeTypes.CodeLens[] = [];
    const lastLine = Math.max(0, document.lineCount - 1);
    hunks.forEach((hunk, i) => {
      const range = new this.vscode.Range(Math.min(hunk.oldStart, lastLine), 0, Math.min(hunk.oldStart, lastLine), 0);
      const ref = this.proposals.refOf(document.uri, hunk);
      const summary = `+${hunk.newLines} −${hunk.oldLines}`;
      lenses.push(
        new this.vscode.CodeLens(range, { title: `$(check) Accept (${summary})`, command: REFINE_COMMANDS.acceptHunk, arguments: [ref] }),
        new this.vscode.CodeLens(range, { title: '$(close) Reject', command: REFINE_COMMANDS.rejectHunk, arguments: [ref] }),
      );
      if (hunk.newLines > 0) {
        lenses.push(new this.vscode.CodeLens(range, { title: `$(eye) Show ${hunk.newLines === 1 ? 'the added line' : `the ${hunk.newLines} added lines`}`, command: REFINE_COMMANDS.peekHunk, arguments: [ref] }));
      }
      if (i === 0) {
        lenses.push(
          new this.vscode.CodeLens(range, { title: `Accept all (${hunks.length})`, command: REFINE_COMMANDS.acceptAll, arguments: [document.uri] }),
          new this.vscode.CodeLens(range, { title: 'Reject all', command: REFINE_COMMANDS.rejectAll, arguments: [document.uri] }),
          new this.vscode.CodeLens(range, { title: 'Side-by-side', command: REFINE_COMMANDS.toggleDiff, arguments: [document.uri] }),
        );
      }
    });
    return lenses;
  }
}
