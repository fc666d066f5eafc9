/**
 * Draws pending hunks in the editor: the lines a hunk removes get a red background and are
 * struck through; after them (or before the line an insertion goes above) a green hint shows
 * the first added line and how many follow, with the whole hunk and the assistant's
 * explanation on hover. The added lines themselves are real lines of the read-only proposal
 * document — shown in the peek ("Show the added lines") and the side-by-side diff — where
 * they get a green background. The user's document is never changed by a proposal.
 */
import type * as vscodeTypes from 'vscode';
import type { Hunk } from '../../core/refine/hunks';
import type { VSCode } from '../vscodeApi';
import { PROPOSAL_SCHEME } from './commandIds';
import { fileOfProposal, proposalUri } from './proposalUri';
import type { InlineProposals } from './proposals';

const GHOST_CHARS = 120;

export class ProposalDecorations implements vscodeTypes.Disposable {
  private readonly removed: vscodeTypes.TextEditorDecorationType;
  private readonly added: vscodeTypes.TextEditorDecorationType;
  private readonly addedLine: vscodeTypes.TextEditorDecorationType;
  private readonly disposables: vscodeTypes.Disposable[] = [];

  constructor(
    private readonly vscode: VSCode,
    private readonly proposals: InlineProposals,
  ) {
    const color = (id: string) => new vscode.ThemeColor(id);
    this.removed = vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: color('diffEditor.removedLineBackground'),
      textDecoration: 'line-through',
      overviewRulerColor: color('editorOverviewRuler.deletedForeground'),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
    });
    this.added = vscode.window.createTextEditorDecorationType({
      overviewRulerColor: color('editorOverviewRuler.addedForeground'),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
    });
    this.addedLine = vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: color('diffEditor.insertedLineBackground'),
      overviewRulerColor: color('editorOverviewRuler.addedForeground'),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
    });
    this.disposables.push(
      this.removed,
      this.added,
      this.addedLine,
      proposals.onDidChange((uri) => this.redrawUri(uri)),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.redraw(e))),
      // The proposal document is refreshed after the proposal changed: draw on its new lines.
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme === PROPOSAL_SCHEME) this.redrawUri(fileOfProposal(vscode, e.document.uri));
      }),
    );
  }

  redrawUri(uri: vscodeTypes.Uri): void {
    const proposal = proposalUri(this.vscode, uri).toString();
    for (const editor of this.vscode.window.visibleTextEditors) {
      const shown = editor.document.uri.toString();
      if (shown === uri.toString() || shown === proposal) this.redraw(editor);
    }
  }

  redraw(editor: vscodeTypes.TextEditor): void {
    if (editor.document.uri.scheme === PROPOSAL_SCHEME) return this.redrawProposal(editor);
    const hunks = this.proposals.hunks(editor.document.uri);
    const explanation = this.proposals.explanation(editor.document.uri) ?? '';
    const { Range } = this.vscode;
    const removed: vscodeTypes.DecorationOptions[] = [];
    const added: vscodeTypes.DecorationOptions[] = [];
    const lastLine = Math.max(0, editor.document.lineCount - 1);
    for (const hunk of hunks) {
      const hover = this.hover(hunk, explanation);
      if (hunk.oldLines > 0) removed.push({ range: new Range(hunk.oldStart, 0, hunk.oldStart + hunk.oldLines - 1, 0), hoverMessage: hover });
      if (hunk.newLines === 0) continue;
      const ghost = ghostText(hunk.added);
      const style = { color: new this.vscode.ThemeColor('editorGhostText.foreground'), backgroundColor: new this.vscode.ThemeColor('diffEditor.insertedLineBackground'), margin: '0 0 0 1em' };
      // After the last removed line, or at the end of the line above an insertion; at the very top: before line 0.
      const anchorLine = hunk.oldLines > 0 ? hunk.oldStart + hunk.oldLines - 1 : hunk.oldStart - 1;
      if (anchorLine >= 0) {
        const line = Math.min(anchorLine, lastLine);
        const end = editor.document.lineAt(line).range.end;
        added.push({ range: new Range(end, end), hoverMessage: hover, renderOptions: { after: { contentText: `+ ${ghost}`, ...style } } });
      } else {
        added.push({ range: new Range(0, 0, 0, 0), hoverMessage: hover, renderOptions: { before: { contentText: `+ ${ghost}`, ...style, margin: '0 1em 0 0' } } });
      }
    }
    editor.setDecorations(this.removed, removed);
    editor.setDecorations(this.added, added);
  }

  /** The proposal document (peek, right side of the diff): its added lines in green. */
  private redrawProposal(editor: vscodeTypes.TextEditor): void {
    const hunks = this.proposals.hunks(fileOfProposal(this.vscode, editor.document.uri));
    const lastLine = Math.max(0, editor.document.lineCount - 1);
    const ranges = hunks
      .filter((h) => h.newLines > 0 && h.newStart <= lastLine)
      .map((h) => new this.vscode.Range(h.newStart, 0, Math.min(h.newStart + h.newLines - 1, lastLine), 0));
    editor.setDecorations(this.addedLine, ranges);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private hover(hunk: Hunk, explanation: string): vscodeTypes.MarkdownString {
    const diff = [...lines(hunk.removed).map((l) => `-${l}`), ...lines(hunk.added).map((l) => `+${l}`)].join('\n');
    const markdown = new this.vscode.MarkdownString();
    markdown.appendMarkdown('**coSTAR refine proposal**\n\n');
    markdown.appendCodeblock(diff, 'diff');
    if (explanation) markdown.appendText(`\n${explanation}`);
    return markdown;
  }
}

function lines(text: string): string[] {
  return text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
}

/** The hint after a hunk: its first added line (shortened) and how many more follow. */
export function ghostText(added: string): string {
  const [first = '', ...rest] = lines(added);
  const shown = first.length > GHOST_CHARS ? `${first.slice(0, GHOST_CHARS)}…` : first;
  return rest.length === 0 ? shown : `${shown}   (+${rest.length} more line${rest.length === 1 ? '' : 's'}: Show)`;
}
