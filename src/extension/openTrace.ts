import type * as vscodeTypes from 'vscode';
import type { ResultLog } from './testing/resultLog';
import type { TestTree } from './testing/testTree';
import type { OpenTraceArg } from './traceViewer/index';
import type { VSCode } from './vscodeApi';

/**
 * Turns what "coSTAR: Open Trace" received from the Test Explorer (a TestItem from the
 * item's context menu) or nothing (command palette: pick a result) into a trace to open.
 * Undefined means nothing to open; the user has been told why.
 */
export async function resolveResultTrace(vscode: VSCode, tree: TestTree, results: ResultLog, arg: unknown): Promise<OpenTraceArg | undefined> {
  if (isTestItem(arg)) {
    const ref = tree.ref(arg);
    const traceFile = ref && 'scenarioId' in ref ? results.get(ref.workspaceDir, ref.scenarioId)?.traceFile : undefined;
    if (!traceFile) void vscode.window.showInformationMessage(`coSTAR: "${arg.label}" has no recorded trace yet. Run it first.`);
    return traceFile;
  }
  const withTraces = results.all().filter((r) => r.traceFile);
  if (withTraces.length === 0) {
    void vscode.window.showInformationMessage('coSTAR: no result with a trace yet. Run some scenarios first.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    withTraces.map((r) => ({ label: r.scenarioId, description: r.status, traceFile: r.traceFile! })),
    { title: 'coSTAR: Open Trace', placeHolder: 'Scenario result' },
  );
  return pick?.traceFile;
}

function isTestItem(value: unknown): value is vscodeTypes.TestItem {
  return typeof value === 'object' && value !== null && 'id' in value && 'children' in value && 'label' in value;
}
