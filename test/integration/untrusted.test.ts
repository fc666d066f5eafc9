import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { appendLabels } from '../../src/core/golden/store';
import { saveReport } from '../../src/core/run/runStore';
import { traceContentHash } from '../../src/core/trace/hash';
import { TraceStore } from '../../src/core/trace/store';
import { ModelServer } from '../support/modelServer';
import { TraceBuilder } from '../support/traceBuilder';
import { costarApi, EXTENSION_ID, runProfile, workspaceDir } from './helpers';

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
    // The editor may keep an untrusted workspace's tools from being called at all; when it does
    // call ours, the answer is a refusal. Either way no agent runs.
    let text: string;
    try {
      const result = await vscode.lm.invokeTool('costar_run_scenarios', { input: {}, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);
      text = result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
    } catch (error) {
      text = `editor refused: ${(error as Error).message}`;
    }
    assert.match(text, /not trusted|editor refused/);
    assert.equal(existsSync(path.join(workspaceDir(), '.costar')), false, 'nothing ran');
  });
});

/**
 * Every command that could call a model, run an agent or a judge module, in an untrusted
 * workspace that is set up so each one would otherwise get that far: a stored failing run, its
 * traces, a golden set, a model endpoint. None of them may send a request or write a file.
 */
describe('commands that call a model or run code, in an untrusted workspace', () => {
  let server: ModelServer;
  let snapshot: string[];
  const files = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort() : []);

  before(async () => {
    await costarApi();
    server = await ModelServer.start();
    server.reply({ json: { value: 'yes', rationale: 'ok' } });
    process.env.COSTAR_MODEL_BASE_URL = server.baseUrl;
    process.env.COSTAR_MODEL = 'test-model';
    const ws = workspaceDir();
    const store = new TraceStore(ws);
    const scenarios = [];
    for (let i = 0; i < 4; i++) {
      const b = new TraceBuilder();
      b.span({ name: 'agent', spanType: 'AGENT', inputs: { prompt: `hello ${i}` }, outputs: { output: `hi ${i}` } });
      const trace = b.build({ metadata: { 'costar.scenario_id': 'greets', 'costar.run_id': '20250101-000000000-aaaaaa' } });
      await store.put(trace);
      const verdict = { judge: 'tone', name: 'tone', expectationIndex: 0, outcome: 'failed' as const, value: 'no', rationale: 'curt', source: 'LLM_JUDGE' as const, spanIds: [], judgeVersion: '1', cost: { inputTokens: 0, outputTokens: 0, modelCalls: 1, ms: 1 }, createdAt: 0 };
      scenarios.push({ id: 'greets', file: 'greetings.scenario.yaml', line: 2, status: 'failed' as const, traceId: trace.info.traceId, durationMs: 1, attempts: [{ attempt: 1, status: 'failed' as const, traceId: trace.info.traceId, durationMs: 1, verdicts: [verdict] }] });
      await appendLabels(ws, [{ traceRef: { traceId: trace.info.traceId, contentHash: traceContentHash(trace) }, judgeId: 'tone', judgeVersion: '1', value: i % 2 ? 'yes' : 'no', rationale: 'r', labeller: 'ana', time: new Date().toISOString() }]);
    }
    await saveReport(ws, { runId: '20250101-000000000-aaaaaa', mode: 'run', workspaceDir: ws, startedAt: 0, scenarios: scenarios.slice(0, 1), summary: { total: 1, passed: 0, failed: 1, error: 0, skipped: 0, durationMs: 1 } });
    snapshot = files(ws);
  });

  after(async () => {
    delete process.env.COSTAR_MODEL_BASE_URL;
    delete process.env.COSTAR_MODEL;
    await server.close();
  });

  const cases: [string, () => Thenable<unknown> | Promise<unknown>][] = [
    ['coSTAR: Align Judge', () => vscode.commands.executeCommand('costar.alignJudge', { judgeId: 'tone', method: 'instructions' })],
    ['coSTAR: Refine agent', () => vscode.commands.executeCommand('costar.refine', { agent: 'echo', scenarioIds: ['greets'] })],
    ['coSTAR: Refine again', () => vscode.commands.executeCommand('costar.refine.again', {})],
    ['the Re-score profile (judges, incl. modules)', async () => runProfile((await costarApi()).profiles.rescore, undefined)],
    ['the Run profile', async () => runProfile((await costarApi()).profiles.run, undefined)],
  ];
  for (const [what, run] of cases) {
    it(`${what}: refused — no model request, no file written`, async () => {
      const result = await run();
      assert.equal(result, undefined);
      assert.equal(server.requests.length, 0, `${what} sent ${server.requests.length} model request(s)`);
      assert.deepEqual(files(workspaceDir()), snapshot, `${what} wrote files`);
    });
  }

  it('the commands are disabled in the palette (enablement: isWorkspaceTrusted)', () => {
    const commands = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string; enablement?: string }[] } }).contributes.commands;
    for (const id of ['costar.alignJudge', 'costar.refine', 'costar.refine.again', 'costar.fixWithAssistant']) {
      assert.equal(commands.find((c) => c.command === id)?.enablement, 'isWorkspaceTrusted', id);
    }
  });
});
