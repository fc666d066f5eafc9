import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { costarApi, runProfile, workspaceDir } from './helpers';

describe('an untrusted workspace', () => {
  it('lists the scenarios but refuses to run them, and nothing executes', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'this suite needs code-server started with Workspace Trust on');
    const api = await costarApi();
    assert.ok(api.tree.scenarioItems(workspaceDir()).length > 0, 'discovery works without trust');
    await runProfile(api.profiles.run, undefined);
    assert.equal(existsSync(path.join(workspaceDir(), '.costar')), false, 'no agent ran and no run was stored');
    const greets = api.results.get(workspaceDir(), 'greets');
    assert.equal(greets?.status, 'error');
    assert.match(greets!.messages[0]!.markdown, /trusted workspace/);
  });
});

describe("coSTAR's chat tools in an untrusted workspace", () => {
  it('refuse to run agents, and say why', async () => {
    await costarApi();
    const result = await vscode.lm.invokeTool('costar_run_scenarios', { input: {}, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);
    const text = result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
    assert.match(text, /not trusted/);
    assert.equal(existsSync(path.join(workspaceDir(), '.costar')), false, 'nothing ran');
  });
});
