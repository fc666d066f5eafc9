/**
 * What the Test Explorer shows for a run, asserted as the fake TestRun's ASCII log: states,
 * the messages' first lines (the Markdown source the Test Results tree shows) and where
 * they point. The harness events are what a real run sends (see extension-runHandler for one).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type * as vscodeTypes from 'vscode';
import type { Verdict } from '../../src/core/judges/types';
import { MODEL_SETUP_HINT } from '../../src/core/llm/setupHint';
import type { ScenarioResult } from '../../src/core/run/protocol';
import { loadWorkspace } from '../../src/core/scenario/load';
import { ResultLog } from '../../src/extension/testing/resultLog';
import { RunReporter } from '../../src/extension/testing/runReporter';
import { TestTree } from '../../src/extension/testing/testTree';
import { fakeController, fakeVscode, FakeTestRun, FakeTestRunRequest, folder } from './extension-fakeHost';

const FIXTURE = path.resolve(__dirname, '../fixtures/editor-ws');

async function reporterFor(scenarioIds: string[]) {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'costar-reporter-')), 'ws');
  cpSync(FIXTURE, dir, { recursive: true });
  const controller = fakeController();
  const tree = new TestTree(fakeVscode, controller as unknown as vscodeTypes.TestController);
  tree.update(folder(dir) as unknown as vscodeTypes.WorkspaceFolder, await loadWorkspace(dir));
  const items = scenarioIds.map((id) => tree.scenarioItem(dir, id)!);
  const run = new FakeTestRun(new FakeTestRunRequest(), 'test');
  const results = new ResultLog();
  const reporter = new RunReporter(fakeVscode, run as unknown as vscodeTypes.TestRun, tree, results, dir, items);
  return { dir, run, reporter, results };
}

function verdict(overrides: Partial<Verdict>): Verdict {
  return {
    judge: 'contains', name: 'contains', expectationIndex: 0, outcome: 'passed', value: true, rationale: '', source: 'CODE',
    spanIds: [], judgeVersion: '1', cost: { inputTokens: 0, outputTokens: 0, modelCalls: 0, ms: 1 }, createdAt: 0, ...overrides,
  };
}

function result(id: string, file: string, status: ScenarioResult['status'], verdicts: Verdict[], extra: Partial<ScenarioResult['attempts'][number]> = {}): ScenarioResult {
  return {
    id, file, line: 1, status, traceId: '0123456789abcdef0123456789abcdef', durationMs: 10,
    attempts: [{ attempt: 1, status, durationMs: 10, verdicts, ...extra }],
    ...(extra.error ? { error: extra.error } : {}),
  };
}

function play(reporter: RunReporter, results: ScenarioResult[]): void {
  reporter.enqueueAll();
  for (const r of results) {
    reporter.onEvent({ v: 1, type: 'attemptStarted', scenarioId: r.id, attempt: 1 } as never);
    reporter.onEvent({ v: 1, type: 'scenarioFinished', result: r } as never);
  }
}

test('a failed judge is red at its expectation line, with a message free of needless escapes', async () => {
  const { dir, run, reporter } = await reporterFor(['polite']);
  play(reporter, [result('polite', 'greetings.scenario.yaml', 'failed', [
    verdict({ name: 'says hello', expectationIndex: 0 }),
    verdict({ name: 'says please', expectationIndex: 1, outcome: 'failed', value: false, rationale: 'stdout does not contain "please"' }),
  ])]);
  assert.equal(run.renderLog(dir), [
    'greetings.scenario.yaml > polite [10:4]',
    '  enqueued',
    '  started',
    '  failed: **says please** failed @ greetings.scenario.yaml:18',
    'greetings.scenario.yaml > polite > says hello [15:8]',
    '  enqueued',
    '  started',
    '  passed',
    'greetings.scenario.yaml > polite > says please [18:8]',
    '  enqueued',
    '  started',
    '  failed: **says please** failed @ greetings.scenario.yaml:18',
  ].join('\n'));
});

test('names with hyphens and dots reach the Test Results tree without backslashes', async () => {
  const { run, reporter } = await reporterFor(['polite']);
  play(reporter, [result('polite', 'greetings.scenario.yaml', 'failed', [
    verdict({ name: 'file-exists', expectationIndex: 0, outcome: 'failed', value: false, rationale: 'clean.csv is missing' }),
    verdict({ name: 'clean.csv has complete rows', expectationIndex: 1, outcome: 'failed', value: false }),
  ])]);
  const messages = run.messages();
  assert.ok(messages.some((m) => m.includes('**file-exists** failed')), messages.join('\n'));
  assert.ok(messages.some((m) => m.includes('**clean.csv has complete rows** failed')), messages.join('\n'));
  assert.ok(messages.every((m) => !m.includes('\\')), `no backslash in: ${messages.join('\n')}`);
});

test('a judge skipped for want of a model says so and how to set one up in the editor', async () => {
  const { dir, run, reporter } = await reporterFor(['kind-words']);
  reporter.onEvent({ v: 1, type: 'scenarioFinished', result: result('kind-words', 'tone.scenario.yaml', 'skipped', [
    verdict({ judge: 'tone', name: 'friendly tone', outcome: 'skipped', value: null, source: 'LLM_JUDGE', rationale: `judge tone needs a model: ${MODEL_SETUP_HINT}`, error: MODEL_SETUP_HINT }),
  ]) } as never);
  assert.equal(run.renderLog(dir), [
    'tone.scenario.yaml > kind-words > friendly tone [6:8]',
    '  skipped',
    '  output: friendly tone was skipped: no model is configured. Set costar.model.baseUrl and costar.model.name (Settings › Extensions › coSTAR) and run "coSTAR: Set API Key" if the endpoint needs a key, then run again. @ tone.scenario.yaml:6',
    'tone.scenario.yaml > kind-words [2:4]',
    '  skipped',
  ].join('\n'));
  assert.equal(reporter.modelSkips, 1, 'the handler offers the settings once');
});

test("a crashed agent's message carries its stderr, and its judges show as not run, not red", async () => {
  const { dir, run, reporter, results } = await reporterFor(['crashes']);
  const agentError = 'the agent exited with code 3; last lines of its stderr:\nthe agent crashed on purpose';
  reporter.onEvent({ v: 1, type: 'scenarioFinished', result: result('crashes', 'trouble.scenario.yaml', 'error', [
    verdict({ name: 'contains', outcome: 'failed', value: false, rationale: 'stdout does not contain "hello"' }),
  ], { error: agentError, agentError, exitCode: 3 }) } as never);
  assert.equal(run.renderLog(dir), [
    'trouble.scenario.yaml > crashes > contains [6:8]',
    '  skipped',
    '  output: contains was not assessed: the agent did not finish (the agent exited with code 3). On what the agent produced before it stopped, this check failed: stdout does not contain "hello" @ trouble.scenario.yaml:6',
    'trouble.scenario.yaml > crashes [2:4]',
    '  errored: The agent exited with code 3; last lines of its stderr:   @ trouble.scenario.yaml:2',
  ].join('\n'));
  const markdown = results.get(dir, 'crashes')!.messages[0]!.markdown;
  assert.match(markdown, /stderr:  \nthe agent crashed on purpose/, 'the stderr lines are in the message, one per line');
  assert.match(markdown, /\[Open trace\]\(command:costar\.openTrace/);
});
