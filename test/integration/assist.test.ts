import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { costarApi } from './helpers';

/** The text parts of a Language Model Tool result. */
function resultText(result: vscode.LanguageModelToolResult): string {
  return result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
}

const invoke = async (name: string, input: object) =>
  resultText(await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token));

describe("coSTAR's tools for the editor's chat (Language Model Tools)", () => {
  it('are registered with the editor and answer: list, run a failing scenario, read its trace', async () => {
    await costarApi();
    const names = vscode.lm.tools.map((t) => t.name).filter((n) => n.startsWith('costar_'));
    for (const name of ['costar_list_scenarios', 'costar_run_scenarios', 'costar_get_report', 'costar_diff_runs', 'costar_get_span', 'costar_search_trace_regex']) {
      assert.ok(names.includes(name), `${name} among ${names.join(', ')}`);
    }
    assert.ok((await vscode.commands.getCommands(true)).includes('costar.fixWithAssistant'));

    assert.match(await invoke('costar_list_scenarios', { tags: ['smoke'] }), /- greets \[\w[\w ]*\] greetings.scenario.yaml:2[\s\S]*- polite/);
    const run = await invoke('costar_run_scenarios', { scenario_ids: ['polite'] });
    assert.match(run, /polite \[failed\] greetings.scenario.yaml:\d+ trace_id=([0-9a-f]{32})/);
    assert.match(run, /\[failed\] says please \(contains\)/);
    const traceId = /trace_id=([0-9a-f]{32})/.exec(run)![1]!;
    assert.match(await invoke('costar_get_trace_info', { trace_id: traceId }), new RegExp(`"traceId": "${traceId}"`));
  });
});
