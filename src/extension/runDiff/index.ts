/**
 * "coSTAR: Compare with last green run" (`costar.compareWithLastGreen`): the run diff of the
 * newest run against the last all-green one, in a read-only text document (a content
 * provider's documents cannot be edited). Running it again refreshes the open document.
 */
import type * as vscodeTypes from 'vscode';
import type { VSCode } from '../vscodeApi';
import { RunSelectionError } from '../../core/report/selectRuns';
import { commandUri, OPEN_TRACE_COMMAND } from '../testing/failureMarkdown';
import type { DiffLink } from './diffLinks';
import { lastGreenDiff } from './lastGreenDiff';
import type { FeatureDeps } from '../featureDeps';

export const COMPARE_WITH_LAST_GREEN_COMMAND = 'costar.compareWithLastGreen';
const SCHEME = 'costar-run-diff';

export type RunDiffDeps = FeatureDeps;

export function registerRunDiff(vscode: VSCode, _context: vscodeTypes.ExtensionContext, deps: RunDiffDeps): vscodeTypes.Disposable[] {
  const texts = new Map<string, string>();
  const links = new Map<string, DiffLink[]>();
  // The text is plain (it reads like `costar diff`); file locations and outcomes are links.
  const linkProvider: vscodeTypes.DocumentLinkProvider = {
    provideDocumentLinks: (document) => (links.get(document.uri.toString()) ?? []).map((link) => {
      const target = link.target.kind === 'scenario'
        ? vscode.Uri.file(link.target.file).with({ fragment: `L${link.target.line}` })
        : vscode.Uri.parse(commandUri(OPEN_TRACE_COMMAND, [{ traceFile: link.target.traceFile }]));
      const documentLink = new vscode.DocumentLink(new vscode.Range(link.line, link.start, link.line, link.end), target);
      documentLink.tooltip = link.tooltip;
      return documentLink;
    }),
  };
  const changed = new vscode.EventEmitter<vscodeTypes.Uri>();
  const provider: vscodeTypes.TextDocumentContentProvider = {
    onDidChange: changed.event,
    provideTextDocumentContent: (uri) => texts.get(uri.toString()) ?? 'This comparison is no longer available: run "coSTAR: Compare with last green run" again.',
  };

  async function compare(): Promise<void> {
    const workspaceDir = deps.workspaceDir();
    if (!workspaceDir) {
      void vscode.window.showInformationMessage('coSTAR: open a workspace folder with a costar.yaml to compare its runs.');
      return;
    }
    let diff;
    try {
      diff = await lastGreenDiff(workspaceDir);
    } catch (error) {
      if (!(error instanceof RunSelectionError)) throw error;
      void vscode.window.showInformationMessage(`coSTAR: ${error.message}`);
      return;
    }
    // One document per workspace, named after what it compares; rerunning updates it in place.
    const uri = vscode.Uri.from({ scheme: SCHEME, path: '/last green vs latest.txt', query: workspaceDir });
    texts.set(uri.toString(), diff.text);
    links.set(uri.toString(), diff.links);
    changed.fire(uri);
    deps.log(`run diff: ${diff.runA} (last green) vs ${diff.runB}`);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: true });
  }

  return [
    changed,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, provider),
    vscode.languages.registerDocumentLinkProvider({ scheme: SCHEME }, linkProvider),
    vscode.commands.registerCommand(COMPARE_WITH_LAST_GREEN_COMMAND, compare),
  ];
}
