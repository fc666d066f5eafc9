/** The read-only `costar-proposal:` documents: a file's text with its pending proposal applied. */
import type * as vscodeTypes from 'vscode';
import type { VSCode } from '../vscodeApi';
import { PROPOSAL_SCHEME } from './commandIds';

/** costar-proposal:/abs/path?<file uri>: the path makes the tab title and language right. */
export function proposalUri(vscode: VSCode, file: vscodeTypes.Uri): vscodeTypes.Uri {
  return vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: file.path, query: file.toString() });
}

export function fileOfProposal(vscode: VSCode, uri: vscodeTypes.Uri): vscodeTypes.Uri {
  return vscode.Uri.parse(uri.query);
}

/** Whether any editor tab (text, or either side of a diff) still shows the file or its proposal. */
export function isShownInTab(vscode: VSCode, file: vscodeTypes.Uri): boolean {
  const key = file.toString();
  const shows = (uri: vscodeTypes.Uri) => uri.toString() === key || (uri.scheme === PROPOSAL_SCHEME && uri.query === key);
  return vscode.window.tabGroups.all.some((group) =>
    group.tabs.some((tab) => {
      const input = tab.input;
      if (input instanceof vscode.TabInputText) return shows(input.uri);
      if (input instanceof vscode.TabInputTextDiff) return shows(input.original) || shows(input.modified);
      return false;
    }),
  );
}
