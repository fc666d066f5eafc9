/**
 * Draws pending hunks in the editor: the lines a hunk removes get a red background and are
 * struck through; the text it adds is shown as green ghost text after them (or before the
 * line it is inserted above), with the whole hunk and the assistant's explanation on hover.
 * The side-by-side diff (toggle) shows added lines as real lines.
 */
import type * as vscodeTypes from 'vscode';
import type { Hunk } from '../../core/refine/hunks';
import type { VSCode } from '../vscodeApi';
import type { InlineProposals } from './proposals';

const GHOST_CHARS = 160;

export class ProposalDecorations implements vscodeTypes.Disposable {
  private readonly removed: vscodeTypes.TextEditorDecorationType;
  private readonly added: vscodeTypes.TextEditorDecorationType;
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
    this.disposables.push(
      this.removed,
      this.added,
      proposals.onDidChange((uri) => this.redrawUri(uri)),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.redraw(e))),
    );
  }

  redrawUri(uri: vscodeTypes.Uri): void {
    for (const editor of this.vscode.window.visibleTextEditors) if (editor.document.uri.toString() === uri.toString()) this.redraw(editor);
  }

  redraw(editor: vscodeTypes.TextEditor): void {
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

/** The added lines on one line: "first ⏎ second", shortened. */
export function ghostText(added: string): string {
  const joined = lines(added).join(' ⏎ ');
  return joined.length > GHOST_CHARS ? `${joined.slice(0, GHOST_CHARS)}…` : joined;
}
