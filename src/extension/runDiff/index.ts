/**
 * "coSTAR: Compare with last green run" (`costar.compareWithLastGreen`): the run diff of the
 * newest run against the last all-green one, in a read-only text document (a content
 * provider's documents cannot be edited). Running it again refreshes the open document.
 */
import type * as vscodeTypes from 'vscode';
import type { VSCode } from '../vscodeApi';
import { RunSelectionError } from '../../core/report/selectRuns';
import { lastGreenDiff } from './lastGreenDiff';
import type { FeatureDeps } from '../featureDeps';

export const COMPARE_WITH_LAST_GREEN_COMMAND = 'costar.compareWithLastGreen';
const SCHEME = 'costar-run-diff';

export type RunDiffDeps = FeatureDeps;

export function registerRunDiff(vscode: VSCode, _context: vscodeTypes.ExtensionContext, deps: RunDiffDeps): vscodeTypes.Disposable[] {
  const texts = new Map<string, string>();
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
    changed.fire(uri);
    deps.log(`run diff: ${diff.runA} (last green) vs ${diff.runB}`);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: true });
  }

  return [
    changed,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, provider),
    vscode.commands.registerCommand(COMPARE_WITH_LAST_GREEN_COMMAND, compare),
  ];
}
