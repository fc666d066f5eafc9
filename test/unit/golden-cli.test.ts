import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { CliCommand, CliIo } from '../../src/cli/command';
import { agreementCommand } from '../../src/cli/commands/agreement';
import { labelCommand } from '../../src/cli/commands/label';
import { readLabels } from '../../src/core/golden/store';
import { goldenFixture, saveQualityReport, type GoldenFixture } from '../fixtures/golden/goldenWorkspace';

async function run(command: CliCommand, fixture: GoldenFixture, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const io: CliIo = { stdout, stderr, cwd: fixture.ws.dir, env: {} };
  const code = await command.run(args, io);
  return { code, stdout: out, stderr: err };
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
