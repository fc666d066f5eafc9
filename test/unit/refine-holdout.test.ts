/**
 * Refine that cannot overfit: held-out scenarios are never shown to the assistant and are
 * re-run after the accepted change as the generalization check, reported apart; passing
 * scenarios are shown as constraints; a change that turns a held-out or a passing scenario
 * red is flagged. Real harness runs of the example workspace, a scripted assistant on the
 * local model server. Requires `npm run build`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { OpenAIModelClient } from '../../src/core/llm/client';
import { startRun } from '../../src/core/run/client';
import { refineAndVerify } from '../../src/core/refine/refine';
import { formatVerification, hasRegressions, summarizeVerification } from '../../src/core/refine/verify';
import { ModelServer } from '../support/modelServer';
import { HARNESS } from '../support/workspace';
import { copyExampleWorkspace, SKILL } from './refine-workspace';
import { report, scenario, verdict } from './report-fixtures';

test('a held-out scenario is hidden from the assistant, re-run after the change and flags the regression it suffers', async () => {
  const ws = copyExampleWorkspace();
  const server = await ModelServer.start();
  try {
    const answers = path.join(ws.dir, 'suites', 'answers.scenario.yaml');
    writeFileSync(answers, readFileSync(answers, 'utf8').replace('tags: [communication]', 'tags: [communication, holdout]'));
    const before = await startRun({ workspaceDir: ws.dir, mode: 'run' }, { harnessPath: HARNESS }).done;
    assert.equal(before.scenarios.find((s) => s.id === 'explains-cleaning')?.status, 'passed');

    // Fixes skewed-income, and stops dropping duplicates — which only the held-out scenario checks.
    server.reply({
      toolCalls: [{
        name: 'propose_edit',
        arguments: { path: SKILL, explanation: 'median; keep every row', edits: [{ search: '- impute_numeric: mean', replace: '- impute_numeric: median' }, { search: '- drop_duplicate_rows: true', replace: '- drop_duplicate_rows: false' }] },
      }],
    }, 1);
    server.reply({ content: 'Median imputation.' }, 1);
    const phases: string[] = [];
    const result = await refineAndVerify({
      workspaceDir: ws.dir,
      agent: 'analyst',
      model: new OpenAIModelClient({ baseUrl: server.baseUrl, model: 'test-model', apiKey: 'test' }),
      harnessPath: HARNESS,
      suite: false,
      decide: async () => 'all',
      onPhase: (phase) => phases.push(phase),
    });

    const prompt = JSON.stringify(server.chatRequests[0]!.body.messages);
    assert.doesNotMatch(prompt, /explains-cleaning|Dropped \\\\d\+ duplicate/, 'the held-out scenario is nowhere in the assistant\'s context');
    assert.match(prompt, /Scenarios that pass now — keep them passing/);
    assert.match(prompt, /clean-customers \(suites\/cleaning.scenario.yaml:3\)/);

    // Without the suite, the held-out scenarios still run.
    assert.deepEqual(phases, ['targeted', 'held-out']);
    const summary = result.verification!.summary;
    assert.deepEqual(summary.fixed.map((s) => s.id), ['skewed-income']);
    assert.deepEqual(summary.newlyFailing, []);
    assert.deepEqual(summary.heldOut?.newlyFailing.map((s) => s.id), ['explains-cleaning']);
    assert.equal(summary.heldOut?.total, 1);
    assert.equal(hasRegressions(summary), true);
    assert.match(formatVerification(summary), /fixed: skewed-income .*held-out: 0\/1 passing, newly failing: explains-cleaning — ⚠/);
  } finally {
    await server.close();
    ws.dispose();
  }
});

test('verification summary: held-out scenarios are counted apart; a passing one turned red is a regression', () => {
  const before = report('r1', [
    scenario('fix-me', 'failed', [verdict('j', 'failed')]),
    scenario('keep-me', 'passed', [verdict('j', 'passed')]),
    scenario('hidden', 'passed', [verdict('j', 'passed')]),
  ]);
  const targeted = report('r2', [scenario('fix-me', 'passed', [verdict('j', 'passed')])]);
  const green = report('r3', [...targeted.scenarios, before.scenarios[1]!, before.scenarios[2]!]);
  const clean = summarizeVerification(before, targeted, green, new Set(['hidden']));
  assert.deepEqual({ passing: clean.passing, total: clean.total, heldOut: clean.heldOut }, { passing: 2, total: 2, heldOut: { passing: 1, total: 1, newlyFailing: [], stillFailing: [] } });
  assert.equal(hasRegressions(clean), false);
  assert.match(formatVerification(clean), /held-out: 1\/1 still passing$/);

  const broken = report('r4', [targeted.scenarios[0]!, scenario('keep-me', 'failed', [verdict('j', 'failed', 'broke it')]), before.scenarios[2]!]);
  const regressed = summarizeVerification(before, targeted, broken, new Set(['hidden']));
  assert.deepEqual(regressed.newlyFailing.map((s) => s.id), ['keep-me']);
  assert.equal(hasRegressions(regressed), true);
  assert.match(formatVerification(regressed), /⚠ this change breaks a scenario that passed/);
});
