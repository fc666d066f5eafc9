/**
 * Refine inside the editor, on a copy of the example workspace, with the assistant scripted
 * on the test model server:
 * - a proposal that adds lines shows them as real lines (a peek of the proposal document);
 *   closing the file's editor ends the review as rejected and the file keeps its bytes;
 *   "Refine again" tells the assistant what was rejected; Discard ends that round too;
 * - two hunks in skill.md with CodeLens Accept | Reject per hunk; accepting one is one undo
 *   step, rejecting the other leaves its lines as they were; once every hunk is decided the
 *   Run profile re-runs the scenarios and skewed-income turns green in the Testing view.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
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

  it('shows added lines as real lines; an unanswered review is recorded as rejected; Refine again is told; Discard ends it', async () => {
    const api = await costarApi();
    const ws = workspaceDir();
    await runProfile(api.profiles.run, undefined);
    assert.equal(api.results.get(ws, 'skewed-income')?.status, 'failed', 'the example starts red');
    const skillFile = path.join(ws, SKILL);
    const bytes = readFileSync(skillFile);
    const added = '- clip_outliers: iqr\n- impute_numeric_skewed: median\n';
    server.script({
      match: isAssistant,
      times: 1,
      reply: { toolCalls: [{ name: 'propose_edit', arguments: { path: SKILL, explanation: 'Handle skewed columns.', edits: [{ search: '## Rules\n\n', replace: `## Rules\n\n${added}` }] } }] },
    });
    server.script({ match: isAssistant, times: 1, reply: { content: 'Two new rules.' } });

    const handle = (await vscode.commands.executeCommand('costar.refine', { agent: 'analyst', scenarioIds: ['skewed-income'], confirm: false, verify: true })) as RefineSessionHandle;
    const uri = vscode.Uri.file(skillFile);
    const lenses = async () => ((await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri)) as vscode.CodeLens[]).filter((l) => l.command);
    await waitFor('the Show lens of the hunk', async () => (await lenses()).some((l) => l.command!.command === 'costar.refine.peekHunk'), 10_000, 100);
    const show = (await lenses()).find((l) => l.command!.command === 'costar.refine.peekHunk')!;
    assert.equal(show.command!.title, '$(eye) Show the 2 added lines');

    // The peek shows the proposal document at the hunk: the added lines, as lines of their own.
    const location = (await vscode.commands.executeCommand(show.command!.command, ...show.command!.arguments!)) as vscode.Location;
    assert.equal(location.uri.scheme, 'costar-proposal');
    const proposal = await vscode.workspace.openTextDocument(location.uri);
    assert.equal(proposal.getText(location.range), added);
    assert.equal(location.range.end.line - location.range.start.line, 2);
    assert.ok((await vscode.workspace.openTextDocument(uri)).getText() === bytes.toString('utf8'), 'the document itself is unchanged');

    // Nobody answers: the file's editors are closed. The hunk counts as rejected, the file keeps its bytes.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const closed = await handle.finished;
    assert.deepEqual(closed.decisions, [{ path: SKILL, accepted: [], rejected: [0], written: false, endedBy: 'editor-closed' }]);
    assert.equal(closed.verification, undefined, 'nothing to re-run');
    assert.ok(readFileSync(skillFile).equals(bytes), 'the file is byte-identical');
    const history = path.join(ws, '.costar', 'refinements', `${handle.refinementId}.json`);
    assert.deepEqual(JSON.parse(readFileSync(history, 'utf8')).decisions, closed.decisions);

    // Another round: the assistant is told which lines were turned down.
    server.script({
      match: isAssistant,
      times: 1,
      reply: { toolCalls: [{ name: 'propose_edit', arguments: { path: SKILL, explanation: 'Median instead.', edits: [{ search: '- impute_numeric: mean', replace: '- impute_numeric: median' }] } }] },
    });
    server.script({ match: isAssistant, times: 1, reply: { content: 'Median.' } });
    const again = (await vscode.commands.executeCommand('costar.refine.again', { confirm: false, verify: true })) as RefineSessionHandle;
    assert.equal(again.round, 2);
    const roundTwo = server.chatRequests.filter((r) => isAssistant(r.body)).map((r) => r.body.messages[1].content as string).find((c) => c.includes('Previous round'));
    assert.ok(roundTwo?.includes(`the developer closed the file without accepting this\n\`\`\`diff\n+- clip_outliers: iqr\n+- impute_numeric_skewed: median\n\`\`\``), roundTwo);
    await waitFor('the CodeLens of round 2', async () => (await lenses()).some((l) => l.command!.command === 'costar.refine.acceptHunk'), 10_000, 100);

    // Discard: the round ends, recorded as rejected, nothing re-runs.
    assert.equal(await vscode.commands.executeCommand('costar.refine.discard'), true);
    const discarded = await again.finished;
    assert.equal(discarded.discarded, true);
    assert.deepEqual(discarded.decisions, [{ path: SKILL, accepted: [], rejected: [0], written: false, endedBy: 'discarded' }]);
    assert.ok(readFileSync(skillFile).equals(bytes));
    assert.deepEqual(await lenses(), []);
    const second = JSON.parse(readFileSync(path.join(ws, '.costar', 'refinements', `${again.refinementId}.json`), 'utf8'));
    assert.equal(second.previousRefinementId, handle.refinementId);
    assert.equal(readdirSync(path.join(ws, '.costar', 'refinements')).length, 2);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
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
