/**
 * "Promote to scenario" from the trace viewer or the dashboard: the draft of
 * promoteTrace opens as an untitled document named after the suggested file, so saving puts
 * it there; nothing is written until the user saves.
 */
import type * as vscodeTypes from 'vscode';
import { PromoteError, promoteTrace } from '../core/promote/promote';

type VSCode = typeof import('vscode');

export async function openPromotedDraft(vscode: VSCode, workspaceDir: string, traceId: string): Promise<vscodeTypes.TextDocument | undefined> {
  let draft;
  try {
    draft = await promoteTrace(workspaceDir, traceId);
  } catch (error) {
    if (!(error instanceof PromoteError)) throw error;
    void vscode.window.showErrorMessage(`coSTAR: cannot promote trace ${traceId}: ${error.message}`);
    return undefined;
  }
  const uri = vscode.Uri.file(draft.suggestedFile).with({ scheme: 'untitled' });
  const document = await vscode.workspace.openTextDocument(uri);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(0, 0, document.lineCount, 0), draft.text);
  await vscode.workspace.applyEdit(edit);
  await vscode.window.showTextDocument(document, { preview: false });
  for (const p of draft.problems) void vscode.window.showWarningMessage(`coSTAR: ${p.message}`);
  return document;
}
