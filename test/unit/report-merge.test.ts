import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { mergeReports, summarize } from '../../src/core/report/merge';
import { parseShard, shardScenarios } from '../../src/core/report/shard';
import { readReportFile } from '../../src/core/report/readReport';
import { renderReport } from '../../src/core/report/render';
import { report, scenario, verdict } from './report-fixtures';
import type { Outcome } from '../../src/core/judges/types';

const OUTCOMES: Outcome[] = ['passed', 'failed', 'error', 'skipped'];

/** A suite of 40 scenarios over 3 files, every outcome present. */
function unshardedRun() {
  const scenarios = Array.from({ length: 40 }, (_, i) =>
    scenario(`scenario-${i}`, OUTCOMES[i % 4]!, [verdict('check', OUTCOMES[i % 4]!)], { file: `s/f${i % 3}.scenario.yaml`, line: 2 + 7 * i }),
  );
  return report('run-all', scenarios.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line)));
}

test('shards partition the suite: every scenario in exactly one shard', () => {
  const ids = unshardedRun().scenarios.map((s) => s.id);
  const shards = [1, 2, 3].map((i) => shardScenarios(ids, i, 3));
  assert.deepEqual(shards.flat().sort(), [...ids].sort());
  assert.ok(shards.every((s) => s.length > 0), 'no empty shard for 40 scenarios');
});

test('a scenario keeps its shard when other scenarios are added', () => {
  const ids = unshardedRun().scenarios.map((s) => s.id);
  const before = shardScenarios(ids, 2, 3);
  const after = shardScenarios([...ids, 'new-a', 'new-b', 'new-c'], 2, 3);
  assert.deepEqual(after.filter((id) => !id.startsWith('new-')), before);
});

test('--shard i/n parses 1-based and refuses what it cannot mean', () => {
  assert.deepEqual(parseShard('2/3'), { index: 2, total: 3 });
  assert.throws(() => parseShard('0/3'), /between 1 and n/);
  assert.throws(() => parseShard('4/3'), /between 1 and n/);
  assert.throws(() => parseShard('2-3'), /expected i\/n/);
});

test('merging 3 shard reports (written and read back as JSON reports) equals the unsharded report', async () => {
  const full = unshardedRun();
  const dir = await mkdtemp(path.join(tmpdir(), 'costar-merge-'));
  const files: string[] = [];
  for (const i of [1, 2, 3]) {
    const ids = new Set(shardScenarios(full.scenarios.map((s) => s.id), i, 3));
    const mine = full.scenarios.filter((s) => ids.has(s.id));
    const shard = report(`run-shard-${i}`, mine, { summary: summarize(mine, 1000 * i) });
    const file = path.join(dir, `shard-${i}.json`);
    await writeFile(file, renderReport(shard, 'json'));
    files.push(file);
  }
  // Read back in a scrambled order: merge must not depend on it.
  const merged = mergeReports(await Promise.all([files[2]!, files[0]!, files[1]!].map(readReportFile)));
  assert.deepEqual(
    merged.scenarios.map((s) => [s.id, s.file, s.line, s.status, s.traceId]),
    full.scenarios.map((s) => [s.id, s.file, s.line, s.status, s.traceId]),
  );
  assert.deepEqual({ ...merged.summary, durationMs: 0 }, { ...full.summary, durationMs: 0 });
  assert.equal(merged.summary.durationMs, 3000, 'shards run side by side: the slowest shard');
  assert.match(merged.runId, /^merged-[0-9a-f]{12}$/);
});

test('overlapping shards are refused, naming the scenario and both reports', () => {
  const a = report('run-a', [scenario('x', 'passed', [])]);
  const b = report('run-b', [scenario('x', 'failed', [])]);
  assert.throws(() => mergeReports([a, b]), /scenario x \(scenarios\/main.scenario.yaml\) is in both run-a and run-b/);
});

test('a file that is not a report fails with its name and what is wrong', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'costar-merge-'));
  const file = path.join(dir, 'junit.json');
  const summary = { total: 1, passed: 0, failed: 0, error: 0, skipped: 0, durationMs: 1 };
  await writeFile(file, JSON.stringify({ runId: 'r', mode: 'run', workspaceDir: dir, startedAt: 0, summary, scenarios: [{ id: 'a', file: 'a.yaml', line: 1, durationMs: 1, attempts: [] }] }));
  await assert.rejects(readReportFile(file), /junit.json: not a coSTAR run report: scenarios\.0\.status: /);
  await writeFile(file, JSON.stringify({ runId: 'r', scenarios: [] }));
  await assert.rejects(readReportFile(file), /junit.json: not a coSTAR run report: mode: .*summary: /);
  await writeFile(file, '<xml/>');
  await assert.rejects(readReportFile(file), /junit.json: not JSON/);
});
