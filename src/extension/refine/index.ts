/**
 * Refine in the editor: the "coSTAR: Refine agent" and "Refine agent again" commands, inline
 * proposals (decorations, CodeLens Accept | Reject | Show lines per hunk), Accept all /
 * Reject all / Discard (editor title, keybindings), the peek that shows a hunk's added lines
 * as real lines of the proposal document, and the side-by-side toggle to the diff editor.
 * Closing every editor of a file under review ends its review: pending hunks are rejected.
 */
import * as path from 'node:path';
import type * as vscodeTypes from 'vscode';
import type { VSCode } from '../vscodeApi';
import { ProposalCodeLens } from './codeLens';
import { HAS_PROPOSAL_CONTEXT, PROPOSAL_SCHEME, REFINE_COMMANDS } from './commandIds';
import { ProposalDecorations } from './decorations';
import { InlineProposals, type HunkRef } from './proposals';
import { fileOfProposal, isShownInTab, proposalUri } from './proposalUri';
import { refineAgainCommand, refineAgentCommand, type RefineDeps } from './refineCommand';

export type { RefineDeps, RefineCommandOptions, RefineAgainOptions, RefineSessionHandle, RoundOutcome } from './refineCommand';
export { REFINE_COMMANDS } from './commandIds';
export { proposalUri } from './proposalUri';

export function registerRefine(vscode: VSCode, _context: vscodeTypes.ExtensionContext, deps: RefineDeps): vscodeTypes.Disposable[] {
  const proposals = new InlineProposals(vscode);
  const decorations = new ProposalDecorations(vscode, proposals);
  const proposalDocs = new vscode.EventEmitter<vscodeTypes.Uri>();

  const targetUri = (arg: unknown): vscodeTypes.Uri | undefined => {
    if (arg instanceof vscode.Uri) return arg;
    const active = vscode.window.activeTextEditor?.document.uri;
    return active?.scheme === PROPOSAL_SCHEME ? fileOfProposal(vscode, active) : active;
  };
  /** A HunkRef from a CodeLens, or the hunk under the cursor (keybindings, palette). */
  const targetHunk = (arg: unknown): HunkRef | undefined => {
    if (isHunkRef(arg)) return arg;
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const line = editor.selection.active.line;
    const hunk = proposals.hunks(editor.document.uri).find((h) => line >= h.oldStart - (h.oldLines === 0 ? 1 : 0) && line <= h.oldStart + Math.max(h.oldLines, 1) - 1);
    return hunk ? proposals.refOf(editor.document.uri, hunk) : undefined;
  };
  const updateContext = () => {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const has = uri !== undefined && (uri.scheme === PROPOSAL_SCHEME || proposals.has(uri));
    void vscode.commands.executeCommand('setContext', HAS_PROPOSAL_CONTEXT, has);
  };

  return [
    proposals,
    decorations,
    proposalDocs,
    proposals.onDidChange((uri) => {
      proposalDocs.fire(proposalUri(vscode, uri));
      updateContext();
    }),
    vscode.window.onDidChangeActiveTextEditor(updateContext),
    // A review nobody answers: closing the last editor of a file rejects its pending hunks.
    vscode.window.tabGroups.onDidChangeTabs((event) => {
      if (event.closed.length === 0) return;
      for (const uri of proposals.pendingUris()) if (!isShownInTab(vscode, uri)) proposals.endReview(uri, 'editor-closed');
    }),
    vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, {
      onDidChange: proposalDocs.event,
      provideTextDocumentContent: (uri) => {
        const file = fileOfProposal(vscode, uri);
        return proposals.proposedText(file) ?? liveText(vscode, file) ?? '';
      },
    }),
    vscode.languages.registerCodeLensProvider({ scheme: 'file' }, new ProposalCodeLens(vscode, proposals)),
    vscode.commands.registerCommand(REFINE_COMMANDS.refine, (arg?: unknown) => refineAgentCommand(vscode, proposals, deps, arg)),
    vscode.commands.registerCommand(REFINE_COMMANDS.again, (arg?: unknown) => refineAgainCommand(vscode, proposals, deps, arg)),
    vscode.commands.registerCommand(REFINE_COMMANDS.discard, (arg?: unknown) => {
      const uri = targetUri(arg);
      const id = (uri && proposals.refinementOf(uri)) ?? onlyRefinement(proposals);
      if (!id) return void vscode.window.showInformationMessage('coSTAR: no refine proposal is under review here.');
      proposals.discard(id);
      return true;
    }),
    /** Peeks the proposal document at the hunk: its added lines as real, read-only lines. Returns the peeked location. */
    vscode.commands.registerCommand(REFINE_COMMANDS.peekHunk, async (arg?: unknown) => {
      const ref = targetHunk(arg);
      const uri = ref && vscode.Uri.parse(ref.uri);
      const hunk = uri && proposals.hunks(uri).find((h) => h.removed === ref.removed && h.added === ref.added);
      if (!uri || !hunk) return undefined;
      const added = new vscode.Range(hunk.newStart, 0, hunk.newStart + hunk.newLines, 0);
      const location = new vscode.Location(proposalUri(vscode, uri), added);
      const at = new vscode.Position(Math.max(0, hunk.oldStart + hunk.oldLines - 1), 0);
      await vscode.commands.executeCommand('editor.action.peekLocations', uri, at, [location], 'peek');
      return location;
    }),
    vscode.commands.registerCommand(REFINE_COMMANDS.acceptHunk, async (arg?: unknown) => {
      const ref = targetHunk(arg);
      return ref ? proposals.accept(vscode.Uri.parse(ref.uri), ref) : false;
    }),
    vscode.commands.registerCommand(REFINE_COMMANDS.rejectHunk, (arg?: unknown) => {
      const ref = targetHunk(arg);
      return ref ? proposals.reject(vscode.Uri.parse(ref.uri), ref) : false;
    }),
    vscode.commands.registerCommand(REFINE_COMMANDS.acceptAll, async (arg?: unknown) => {
      const uri = targetUri(arg);
      return uri ? proposals.accept(uri) : false;
    }),
    vscode.commands.registerCommand(REFINE_COMMANDS.rejectAll, (arg?: unknown) => {
      const uri = targetUri(arg);
      return uri ? proposals.reject(uri) : false;
    }),
    vscode.commands.registerCommand(REFINE_COMMANDS.toggleDiff, async (arg?: unknown) => {
      const active = vscode.window.activeTextEditor?.document.uri;
      if (active?.scheme === PROPOSAL_SCHEME && !(arg instanceof vscode.Uri)) {
        await vscode.window.showTextDocument(fileOfProposal(vscode, active), { preview: false });
        return;
      }
      const uri = targetUri(arg);
      if (!uri || !proposals.has(uri)) return void vscode.window.showInformationMessage('coSTAR: this file has no pending refine proposal.');
      await vscode.commands.executeCommand('vscode.diff', uri, proposalUri(vscode, uri), `${path.basename(uri.fsPath)} ↔ coSTAR proposal`);
    }),
  ];
}

function liveText(vscode: VSCode, uri: vscodeTypes.Uri): string | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())?.getText();
}

function isHunkRef(arg: unknown): arg is HunkRef {
  return typeof arg === 'object' && arg !== null && 'uri' in arg && 'removed' in arg && 'added' in arg && 'oldStart' in arg;
}

/** The refinement under review when there is exactly one (Discard from anywhere). */
function onlyRefinement(proposals: InlineProposals): string | undefined {
  const ids = new Set(proposals.pendingUris().map((uri) => proposals.refinementOf(uri)));
  return ids.size === 1 ? [...ids][0] : undefined;
}
