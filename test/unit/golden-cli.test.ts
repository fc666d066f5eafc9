import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { CliCommand } from '../../src/cli/command';
import { agreementCommand } from '../../src/cli/commands/agreement';
import { labelCommand } from '../../src/cli/commands/label';
import { readLabels } from '../../src/core/golden/store';
import { goldenFixture, saveQualityReport, type GoldenFixture } from '../fixtures/golden/goldenWorkspace';
import { CLI } from '../support/workspace';
import { runCommandInProcess, type CliResult } from '../support/cliInProcess';

function run(command: CliCommand, fixture: GoldenFixture, args: string[]): Promise<CliResult> {
  return runCommandInProcess(command, args, fixture.ws.dir);
}

test('costar agreement reads the judge\'s newest verdicts from run reports and compares them with the labels', async () => {
  const fixture = await goldenFixture({ good: 3, terse: 2, vague: 3 });
  try {
    // An older run where the judge was right everywhere, then a newer re-score where it calls vague answers good.
    await saveQualityReport(fixture, (kind) => (kind === 'good' ? 'yes' : 'no'), '20250101-000000000-aaaaaa');
    await saveQualityReport(fixture, (kind) => (kind === 'terse' ? 'no' : 'yes'), '20250102-000000000-bbbbbb');
    const { code, stdout } = await run(agreementCommand, fixture, ['--json']);
    assert.equal(code, 0);
    const [report] = JSON.parse(stdout);
    assert.equal(report.judgeId, 'quality');
    assert.equal(report.judgeVsHuman.n, 8);
    assert.deepEqual(report.judgeVsHuman.categories, ['yes', 'no'], 'the judge\'s value order');
    assert.deepEqual(report.judgeVsHuman.matrix, [[3, 0], [3, 2]]);
    assert.equal(report.disagreements.length, 3);
    assert.equal(report.disagreements[0].humanRationales[0], 'says it filled values but not with what');
    assert.equal(report.disagreements[0].judgeRationale, 'judge rationale for vague');
    const text = await run(agreementCommand, fixture, ['--judge', 'quality']);
    assert.match(text.stdout, /judge quality: 8 labelled traces, 8 judged by it/);
    assert.match(text.stdout, /accuracy 62\.5 %/);
  } finally {
    fixture.ws.dispose();
  }
});

test('costar agreement without any golden set says how to start one (exit 2)', async () => {
  const fixture = await goldenFixture({ good: 1, terse: 0, vague: 0 }, { label: false });
  try {
    const { code, stderr } = await run(agreementCommand, fixture, []);
    assert.equal(code, 2);
    assert.match(stderr, /no golden set in .*golden: label traces first/);
  } finally {
    fixture.ws.dispose();
  }
});

test('costar label adds a checked label from the terminal and lists the queue with reasons', async () => {
  const fixture = await goldenFixture({ good: 1, terse: 1, vague: 0 }, { label: false });
  try {
    const [good, terse] = fixture.traces;
    const bad = await run(labelCommand, fixture, ['quality', '--trace', good!.trace.info.traceId, '--value', 'maybe']).catch((e: Error) => ({ code: 2, stdout: '', stderr: e.message }));
    assert.match(bad.stderr, /--value for judge quality: expected "yes" or "no", got "maybe"/);
    const added = await run(labelCommand, fixture, ['quality', '--trace', good!.trace.info.traceId, '--value', 'yes', '--rationale', 'complete', '--labeller', 'cli']);
    assert.equal(added.code, 0);
    const { labels } = await readLabels(fixture.ws.dir, 'quality');
    assert.deepEqual(labels.map((l) => [l.traceRef.traceId, l.traceRef.scenarioId, l.value, l.rationale, l.labeller]), [[good!.trace.info.traceId, 'clean-1', 'yes', 'complete', 'cli']]);
    const queue = await run(labelCommand, fixture, ['quality', '--labeller', 'cli', '--json']);
    assert.deepEqual(JSON.parse(queue.stdout).map((i: { traceId: string }) => i.traceId), [terse!.trace.info.traceId], 'already labelled traces leave this labeller\'s queue');
  } finally {
    fixture.ws.dispose();
  }
});

/**
 * A module judge (value bool by default) whose verdicts carry an incidental number, as the
 * example's robust-imputation does (the value it found: 757333.33). Labels are true/false.
 */
async function moduleJudgeFixture(): Promise<{ fixture: GoldenFixture; ids: string[] }> {
  const fixture = await goldenFixture({ good: 2, terse: 2, vague: 0 }, { label: false });
  fixture.ws.write('judges/imputation.judge.yaml', 'id: imputation\nkind: module\nmodule: judges/imputation.mjs\n');
  fixture.ws.write('judges/imputation.mjs', 'export default () => ({ outcome: "passed", value: 1 });\n');
  const ids = fixture.traces.map((t) => t.trace.info.traceId);
  const passes = [true, true, false, false];
  const { saveReport } = await import('../../src/core/run/runStore');
  const scenarios = ids.map((traceId, i) => {
    const outcome = passes[i] ? ('passed' as const) : ('failed' as const);
    const verdict = {
      judge: 'imputation', name: 'imputation', expectationIndex: 0, outcome, value: passes[i] ? 47000 : 757333.33, rationale: `filled with ${passes[i] ? 47000 : 757333.33}`,
      source: 'CODE' as const, spanIds: [], judgeVersion: '1', cost: { inputTokens: 0, outputTokens: 0, modelCalls: 0, ms: 1 }, createdAt: 0,
    };
    return { id: `clean-${i + 1}`, file: 'x.scenario.yaml', line: 1, status: outcome, traceId, durationMs: 1, attempts: [{ attempt: 1, status: outcome, traceId, durationMs: 1, verdicts: [verdict] }] };
  });
  await saveReport(fixture.ws.dir, { runId: '20250103-000000000-cccccc', mode: 'run', workspaceDir: fixture.ws.dir, startedAt: 0, scenarios, summary: { total: 4, passed: 2, failed: 2, error: 0, skipped: 0, durationMs: 1 } });
  return { fixture, ids };
}

test('costar agreement on a module judge compares the labels with its pass/fail, never with an incidental number', async () => {
  const { fixture, ids } = await moduleJudgeFixture();
  try {
    // The human agrees with the judge on three traces of four.
    for (const [i, value] of ['true', 'true', 'false', 'true'].entries()) {
      assert.equal((await run(labelCommand, fixture, ['imputation', '--trace', ids[i]!, '--value', value, '--labeller', 'ana'])).code, 0);
    }
    const { code, stdout } = await run(agreementCommand, fixture, ['--judge', 'imputation', '--json']);
    assert.equal(code, 0);
    const [report] = JSON.parse(stdout);
    assert.equal(report.judgeVsHuman.n, 4);
    assert.equal(report.judgeVsHuman.accuracy, 0.75);
  } finally {
    fixture.ws.dispose();
  }
});

test('costar label (a real process) refuses a value that does not fit the judge: exit 2, saying what fits', async () => {
  const { fixture, ids } = await moduleJudgeFixture();
  try {
    const label = (value: string) => spawnSync(process.execPath, [CLI, 'label', 'imputation', '--trace', ids[0]!, '--value', value], { cwd: fixture.ws.dir, encoding: 'utf8' });
    for (const value of ['757333.33', 'yes', 'maybe']) {
      const refused = label(value);
      assert.equal(refused.status, 2, `${value}: ${refused.stderr}`);
      assert.match(refused.stderr, /--value for judge imputation: expected true or false, got /);
    }
    assert.equal((await readLabels(fixture.ws.dir, 'imputation')).labels.length, 0, 'nothing written');
    assert.equal(label('false').status, 0);
  } finally {
    fixture.ws.dispose();
  }
});
