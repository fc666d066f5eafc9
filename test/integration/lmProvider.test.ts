/**
 * The editor's models inside the real editor: a test extension (test/fixtures/lm-provider)
 * registers a chat model provider with the stable LM provider API and answers from scripts.
 * coSTAR, switched to it with "coSTAR: Select Model", runs an LLM judge and an agentic judge
 * from the Test Explorer (the harness asks the extension host for each model call), a
 * Refine round and an Align Judge run, all without an API key or endpoint; the re-score comes
 * from the reply cache.
 */
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { latestRun } from '../../src/core/run/runStore';
import type { AlignJudgeOutcome } from '../../src/extension/align/index';
import { goldenFixture } from '../fixtures/golden/goldenWorkspace';
import type { RefineSessionHandle } from '../../src/extension/refine/index';
import { waitFor } from '../e2e/waitFor';
import { costarApi, extensionDir, runProfile, workspaceDir } from './helpers';

interface PlainMessage {
  role: 'user' | 'assistant';
  text: string;
  toolCalls: { callId: string; name: string; input: unknown }[];
  toolResults: { callId: string; text: string }[];
}
interface LmRequest {
  messages: PlainMessage[];
  tools: string[];
}
type Part = { text: string } | { name: string; input?: unknown };
interface TestProvider {
  requests: LmRequest[];
  setScript(script: (request: LmRequest, index: number) => Part[]): void;
}

const SKILL = 'agents/analyst/skill.md';
const MODEL = 'costar-test/scripted';

describe("the editor's models (VS Code Language Model API)", () => {
  let lm: TestProvider;

  before(async () => {
    const link = path.join(workspaceDir(), 'node_modules');
    if (!existsSync(link)) symlinkSync(path.join(extensionDir(), 'node_modules'), link);
    const fixture = vscode.extensions.getExtension<TestProvider>('costar-tests.lm-provider');
    assert.ok(fixture, 'the test chat model provider is loaded beside coSTAR');
    lm = await fixture.activate();
    // No endpoint and no key anywhere: every model call must go to the editor's model.
    delete process.env.COSTAR_MODEL_BASE_URL;
    delete process.env.COSTAR_MODEL;
    delete process.env.OPENAI_API_KEY;
    const ws = workspaceDir();
    writeFileSync(path.join(ws, 'judges', 'evidence.judge.yaml'), 'id: evidence\nkind: agentic\ninstructions: In {{ trace }}, did the agent finish its task?\nmaxSteps: 5\n');
    writeFileSync(
      path.join(ws, 'suites', 'editor-model.scenario.yaml'),
      'scenarios:\n  - id: judged-by-editor\n    setup:\n      files: { data/customers.csv: ../fixtures/customers.csv }\n    prompt: Clean data/customers.csv and write clean.csv, then explain what you changed\n    expectations:\n      - judge: answer-quality\n      - judge: evidence\n',
    );
    lm.setScript(judgeScript);
  });

  /** LLM judges get a fenced answer after a sentence; agentic judges look at the root span first. */
  function judgeScript(request: LmRequest): Part[] {
    if (request.tools.includes('get_root_span')) {
      if (!request.messages.some((m) => m.toolResults.length > 0)) return [{ name: 'get_root_span', input: {} }];
      return [{ text: JSON.stringify({ value: true, rationale: 'the root span shows the agent wrote clean.csv', spanIds: [] }) }];
    }
    return [{ text: 'Here is my verdict:\n```json\n{"value": "yes", "rationale": "it names the dropped duplicates"}\n```' }];
  }

  it('coSTAR: Select Model switches judges to the editor model', async () => {
    await waitFor('the test model in vscode.lm', async () => (await vscode.lm.selectChatModels({ vendor: 'costar-test' })).length > 0, 30_000, 200);
    await vscode.commands.executeCommand('costar.selectModel', { provider: 'vscode', model: MODEL });
    const config = vscode.workspace.getConfiguration('costar', vscode.Uri.file(workspaceDir()));
    assert.equal(config.get('model.provider'), 'vscode');
    assert.equal(config.get('model.editorModel'), MODEL);
  });

  it('an LLM judge and an agentic judge run with it from the Test Explorer; the re-score is free', async () => {
    const api = await costarApi();
    const ws = workspaceDir();
    await waitFor('the new scenario in the Test Explorer', async () => (await api.discovered(), api.tree.scenarioItem(ws, 'judged-by-editor') !== undefined), 30_000, 200);
    const item = api.tree.scenarioItem(ws, 'judged-by-editor')!;
    await runProfile(api.profiles.run, [item]);
    assert.equal(api.results.get(ws, 'judged-by-editor')?.status, 'passed', JSON.stringify(api.results.get(ws, 'judged-by-editor')?.messages));

    const report = (await latestRun(ws, 'run'))!;
    const verdicts = report.scenarios.find((s) => s.id === 'judged-by-editor')!.attempts[0]!.verdicts;
    const [quality, evidence] = verdicts;
    assert.deepEqual([quality!.outcome, quality!.value, quality!.rationale], ['passed', 'yes', 'it names the dropped duplicates']);
    assert.deepEqual([evidence!.outcome, evidence!.value], ['passed', true]);
    assert.equal(quality!.cost.modelCalls, 1);
    assert.equal(evidence!.cost.modelCalls, 2, 'a tool step and the answer');
    assert.ok(quality!.cost.inputTokens > 0 && quality!.cost.outputTokens > 0, 'tokens counted with the model tokenizer');

    const llmRequest = lm.requests.find((r) => r.tools.length === 0)!;
    assert.match(llmRequest.messages[0]!.text, /careful evaluator[\s\S]*follows this JSON Schema/, 'system prompt and schema sent as the first user message');
    const agentic = lm.requests.filter((r) => r.tools.includes('get_root_span'));
    assert.equal(agentic.length, 2);
    assert.equal(agentic[1]!.messages.at(-2)!.toolCalls[0]!.name, 'get_root_span');
    assert.match(agentic[1]!.messages.at(-1)!.toolResults[0]!.text, /clean\.csv|customers/);

    const before = lm.requests.length;
    await runProfile(api.profiles.rescore, [item]);
    assert.equal(api.results.get(ws, 'judged-by-editor')?.status, 'passed');
    assert.equal(lm.requests.length, before, 'the re-score came from the reply cache');
  });

  it('a Refine round proposes an edit with the editor model', async () => {
    const api = await costarApi();
    const ws = workspaceDir();
    await runProfile(api.profiles.run, undefined);
    assert.equal(api.results.get(ws, 'skewed-income')?.status, 'failed', 'the example starts red');
    let assistantCalls = 0;
    lm.setScript((request) => {
      if (!request.tools.includes('propose_edit')) return judgeScript(request);
      assistantCalls++;
      if (assistantCalls === 1) {
        return [{ name: 'propose_edit', input: { path: SKILL, explanation: 'Median resists outliers.', edits: [{ search: '- impute_numeric: mean', replace: '- impute_numeric: median' }] } }];
      }
      return [{ text: 'Impute with the median.' }];
    });
    const handle = (await vscode.commands.executeCommand('costar.refine', { agent: 'analyst', scenarioIds: ['skewed-income'], confirm: false, verify: false })) as RefineSessionHandle | undefined;
    assert.ok(handle, 'a proposal came back');
    assert.deepEqual(handle.files, [SKILL]);
    const asked = lm.requests.filter((r) => r.tools.includes('propose_edit'));
    assert.equal(asked.length, 2);
    assert.match(asked[0]!.messages.map((m) => m.text).join('\n'), /skewed-income/);
    assert.equal(asked[1]!.messages.at(-2)!.toolCalls[0]!.name, 'propose_edit', 'the tool call went back to the model with its result');
    const uri = vscode.Uri.file(path.join(ws, SKILL));
    const lenses = async () => ((await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri)) as vscode.CodeLens[]).filter((l) => l.command);
    await waitFor('the CodeLens of the proposed hunk', async () => (await lenses()).some((l) => l.command!.command === 'costar.refine.acceptHunk'), 10_000, 100);
    assert.equal(await vscode.commands.executeCommand('costar.refine.discard'), true);
    assert.equal((await handle.finished).discarded, true);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  it('Align Judge runs on the editor model: judge calls and guideline distillation, no endpoint', async () => {
    const ws = workspaceDir();
    // The golden-set fixture's LLM judge `quality` with fifteen labelled stored traces (as the UI align test uses).
    const golden = await goldenFixture({ good: 6, terse: 2, vague: 7 });
    try {
      for (const part of ['.costar', 'golden', 'judges/quality.judge.yaml']) cpSync(path.join(golden.ws.dir, part), path.join(ws, part), { recursive: true });
    } finally {
      golden.ws.dispose();
    }
    const judgeFile = path.join(ws, 'judges', 'quality.judge.yaml');
    const original = readFileSync(judgeFile, 'utf8');
    // The judge over-approves vague answers until its prompt carries the distilled guideline.
    lm.setScript((request) => {
      const prompt = request.messages.map((m) => m.text).join('\n');
      if (prompt.includes('"guidelines"')) {
        const sources = [...prompt.matchAll(/Example id: ([0-9a-f]{32})/g)].slice(0, 3).map((m) => m[1]);
        return [{ text: JSON.stringify({ guidelines: [{ text: 'Say yes only when the answer names the value used to fill missing data.', sources }] }) }];
      }
      const answer = /Agent's answer: (.*)/.exec(prompt)?.[1] ?? '';
      const yes = prompt.includes('names the value used to fill') ? /median/.test(answer) : /fill/i.test(answer);
      return [{ text: JSON.stringify({ value: yes ? 'yes' : 'no', rationale: 'scripted editor judge' }) }];
    });
    const before = lm.requests.length;
    const outcome = (await vscode.commands.executeCommand('costar.alignJudge', { judgeId: 'quality', method: 'memory', decision: 'reject' })) as AlignJudgeOutcome | undefined;
    assert.ok(outcome, 'the alignment ran (no "needs a model" refusal)');
    assert.equal(outcome.result.offered, true, outcome.result.summary);
    assert.equal((outcome.result.afterWithExamples ?? outcome.result.after).kappa?.toFixed(2), '1.00', 'held-out κ rose to 1 with the guideline');
    assert.deepEqual([outcome.decision, outcome.written], ['reject', []]);
    assert.equal(readFileSync(judgeFile, 'utf8'), original, 'Reject left the judge file as it was');
    const asked = lm.requests.slice(before);
    assert.ok(asked.length > 0 && outcome.result.modelCalls > 0, `${asked.length} editor requests for ${outcome.result.modelCalls} model calls`);
    assert.ok(asked.some((r) => r.messages.some((m) => m.text.includes('"guidelines"'))), 'the guideline distillation went to the editor model');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
