/**
 * Refine inside the editor, on a copy of the example workspace: the assistant (scripted on
 * the test model server) proposes two hunks in skill.md; the CodeLens shows Accept | Reject
 * per hunk; accepting one is one undo step, rejecting the other leaves its lines as they
 * were; once every hunk is decided the Run profile re-runs the scenarios and skewed-income
 * turns green in the Testing view.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../e2e/waitFor';
import { ModelServer } from '../support/modelServer';
import type { RefineSessionHandle } from '../../src/extension/refine/index';
import { costarApi, extensionDir, runProfile, workspaceDir } from './helpers';

const SKILL = 'agents/analyst/skill.md';
const isAssistant = (body: any) => Array.isArray(body.tools) && body.tools.some((t: any) => t.function?.name === 'propose_edit');

describe('Refine agent in the editor', () => {
  let server: ModelServer;

  before(async () => {
    // The example agent imports its OpenTelemetry packages from the repo's node_modules.
    const link = path.join(workspaceDir(), 'node_modules');
    if (!existsSync(link)) symlinkSync(path.join(extensionDir(), 'node_modules'), link);
    server = await ModelServer.start();
    // The LLM judge of the example asks the same server: it always approves.
    server.script({ match: (body) => body.response_format !== undefined && !isAssistant(body), reply: { json: { value: 'yes', rationale: 'states every change' } } });
    process.env.COSTAR_MODEL_BASE_URL = server.baseUrl;
    process.env.COSTAR_MODEL = 'test-model';
  });

  after(async () => {
    delete process.env.COSTAR_MODEL_BASE_URL;
    delete process.env.COSTAR_MODEL;
    await server.close();
  });

  it('accepts one hunk and rejects another, undo restores, and the re-run turns skewed-income green', async () => {
    const api = await costarApi();
    const ws = workspaceDir();
    await runProfile(api.profiles.run, undefined);
    assert.equal(api.results.get(ws, 'skewed-income')?.status, 'failed', 'the example starts red');

    const skillFile = path.join(ws, SKILL);
    const original = readFileSync(skillFile, 'utf8');
    const fixedOnly = original.replace('impute_numeric: mean', 'impute_numeric: median');
    server.script({ match: isAssistant, times: 1, reply: { toolCalls: [{ name: 'read_file', arguments: { path: SKILL } }] } });
    server.script({
      match: isAssistant,
      times: 1,
      reply: {
        toolCalls: [{
          name: 'propose_edit',
          arguments: {
            path: SKILL,
            explanation: 'Median imputation resists the outliers of skewed columns.',
            edits: [
              { search: '# Data-cleaning skill', replace: '# Data-cleaning skill (robust)' },
              { search: '- impute_numeric: mean', replace: '- impute_numeric: median' },
            ],
          },
        }],
      },
    });
    server.script({ match: isAssistant, times: 1, reply: { content: 'Impute with the median.' } });

    const handle = (await vscode.commands.executeCommand('costar.refine', { agent: 'analyst', scenarioIds: ['skewed-income'], confirm: false, verify: true })) as RefineSessionHandle;
    assert.deepEqual(handle.files, [SKILL]);
    const uri = vscode.Uri.file(skillFile);
    const document = await vscode.workspace.openTextDocument(uri);

    const lenses = async () => ((await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri)) as vscode.CodeLens[]).filter((l) => l.command);
    await waitFor('the Accept | Reject CodeLens of both hunks', async () => (await lenses()).filter((l) => l.command!.command === 'costar.refine.acceptHunk').length === 2, 10_000, 100);
    const titles = (await lenses()).map((l) => l.command!.title);
    assert.ok(titles.some((t) => t.startsWith('Accept all')) && titles.includes('Reject all') && titles.includes('Side-by-side'), titles.join(' | '));
    assert.equal(document.getText(), original, 'a proposal alone changes nothing');

    // The user edits the file meanwhile: the hunks follow the text they change.
    const medianLine = async () => (await lenses()).find((l) => l.command!.command === 'costar.refine.acceptHunk' && l.command!.arguments![0].added.includes('median'))!.range.start.line;
    const lineBefore = await medianLine();
    const userEdit = new vscode.WorkspaceEdit();
    userEdit.insert(uri, new vscode.Position(0, 0), '<!-- reviewed -->\n');
    await vscode.workspace.applyEdit(userEdit);
    await waitFor('the hunks to move down with the inserted line', async () => (await medianLine()) === lineBefore + 1, 5_000, 50);
    const removeUserEdit = new vscode.WorkspaceEdit();
    removeUserEdit.delete(uri, new vscode.Range(0, 0, 1, 0));
    await vscode.workspace.applyEdit(removeUserEdit);
    await waitFor('the hunks to move back', async () => (await medianLine()) === lineBefore, 5_000, 50);
    assert.equal(document.getText(), original);
    assert.equal((await lenses()).filter((l) => l.command!.command === 'costar.refine.acceptHunk').length, 2, 'both hunks are still pending');

    // Accept the median hunk: one edit, undoable in one step.
    const acceptMedian = (await lenses()).find((l) => l.command!.command === 'costar.refine.acceptHunk' && l.command!.arguments![0].added.includes('median'))!;
    assert.equal(await vscode.commands.executeCommand(acceptMedian.command!.command, ...acceptMedian.command!.arguments!), true);
    assert.equal(document.getText(), fixedOnly);
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('undo');
    await waitFor('undo to restore the original text', () => document.getText() === original, 5_000, 50);
    await vscode.commands.executeCommand('redo');
    await waitFor('redo to re-apply the accepted hunk', () => document.getText() === fixedOnly, 5_000, 50);

    // Reject the title hunk: the document keeps its bytes.
    const rejectTitle = (await lenses()).find((l) => l.command!.command === 'costar.refine.rejectHunk')!;
    assert.match(rejectTitle.command!.arguments![0].added, /robust/);
    assert.equal(await vscode.commands.executeCommand(rejectTitle.command!.command, ...rejectTitle.command!.arguments!), true);
    assert.equal(document.getText(), fixedOnly);

    const { decisions, verification } = await handle.finished;
    assert.equal(readFileSync(skillFile, 'utf8'), fixedOnly, 'saved to disk before the re-run: exactly the accepted hunk');
    assert.deepEqual(decisions, [{ path: SKILL, accepted: [1], rejected: [0], written: true }]);
    assert.deepEqual(verification?.fixed.map((s) => s.id), ['skewed-income']);
    assert.deepEqual(verification?.newlyFailing, []);
    assert.equal(api.results.get(ws, 'skewed-income')?.status, 'passed', 'the Testing view shows the scenario green');
    assert.deepEqual(await lenses(), [], 'no lens is left once every hunk is decided');
  });
});
