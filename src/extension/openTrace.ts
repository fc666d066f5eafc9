import type * as vscodeTypes from 'vscode';
import type { VSCode } from './vscodeApi';

/** Opens a stored trace file as JSON: the fallback while no trace viewer handles `costar.openTrace`. */
export async function openTraceJson(vscode: VSCode, traceFile: string): Promise<void> {
  try {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(traceFile));
    await vscode.window.showTextDocument(document, { preview: true });
  } catch {
    void vscode.window.showErrorMessage(`coSTAR: the trace ${traceFile} is not stored (anymore). Run the scenario to record a new one.`);
  }
}

/** The argument VS Code passes to `testing/item/context` menu commands is the TestItem. */
export function isTestItem(value: unknown): value is vscodeTypes.TestItem {
  return typeof value === 'object' && value !== null && 'id' in value && 'children' in value;
}
