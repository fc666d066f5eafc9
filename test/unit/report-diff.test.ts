import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { diffRuns } from '../../src/core/report/diff';
import { renderDiffText } from '../../src/core/report/diffText';
import { selectRunsToDiff } from '../../src/core/report/selectRuns';
import { saveReport } from '../../src/core/run/runStore';
import { computeTraceMetrics } from '../../src/core/judges/metrics';
import type { Span, Trace } from '../../src/core/trace/model';
import { report, scenario, verdict } from './report-fixtures';

/** A trace with one model call of `tokens` tokens and `tools` tool calls, lasting `ms`. */
function trace(traceId: string, tokens: number, tools: number, ms: number): Trace {
  const span = (i: number, extra: Partial<Span>): Span => ({
    spanId: i.toString(16).padStart(16, '0'),
    parentId: i === 1 ? null : '0000000000000001',
    name: `span-${i}`,
    spanType: 'UNKNOWN',
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: String(1700000000000000000n + BigInt(ms) * 1_000_000n),
    status: { code: 'OK' },
    attributes: {},
    events: [],
    ...extra,
  });
  const spans = [span(1, { spanType: 'AGENT' }), span(2, { spanType: 'LLM', tokens: { input: tokens / 2, output: tokens / 2, total: tokens } })];
  for (let t = 0; t < tools; t++) spans.push(span(3 + t, { spanType: 'TOOL', toolName: 'read_file' }));
  return { info: { traceId, requestTime: 1_700_000_000_000, executionDurationMs: ms, state: 'OK', metadata: {}, tags: {} }, spans, artifacts: [] };
}

const runA = report('run-a', [
  scenario('stays-green', 'passed', [verdict('file-exists', 'passed')]),
  scenario('breaks', 'passed', [verdict('file-exists', 'passed'), verdict('no-leakage', 'passed')]),
  scenario('gets-fixed', 'failed', [verdict('no-leakage', 'failed', 'target column leaks')]),
  scenario('stays-red', 'error', [], { error: 'crashed' }),
  scenario('dropped', 'passed', []),
]);
const runB = report('run-b', [
  scenario('stays-green', 'passed', [verdict('file-exists', 'passed')]),
  scenario('breaks', 'failed', [verdict('file-exists', 'passed'), verdict('no-leakage', 'failed', 'uses the label as a feature')]),
  scenario('gets-fixed', 'passed', [verdict('no-leakage', 'passed')]),
  scenario('stays-red', 'failed', [verdict('file-exists', 'failed', 'no features.py')]),
  scenario('brand-new', 'passed', []),
]);

test('per scenario and per judge: newly failing, fixed, still failing, added, removed', () => {
  const diff = diffRuns(runA, runB);
  const byId = Object.fromEntries(diff.scenarios.map((s) => [s.id, s]));
  assert.deepEqual(
    diff.scenarios.map((s) => [s.id, s.change]),
    [['stays-green', 'passing'], ['breaks', 'newly-failing'], ['gets-fixed', 'fixed'], ['stays-red', 'still-failing'], ['brand-new', 'added'], ['dropped', 'removed']],
  );
  assert.deepEqual(
    byId.breaks!.judges.map((j) => [j.judge, j.change, j.rationale]),
    [['file-exists', 'passing', 'file-exists passed'], ['no-leakage', 'newly-failing', 'uses the label as a feature']],
  );
  assert.deepEqual(byId['stays-red']!.judges.map((j) => [j.judge, j.before, j.after, j.change]), [['file-exists', undefined, 'failed', 'added']]);
  assert.deepEqual(diff.counts, { 'newly-failing': 1, fixed: 1, 'still-failing': 1, passing: 1, skipped: 0, added: 1, removed: 1 });
});

test('operational metrics from the traces: ×2 flags per scenario and on the totals', () => {
  const traces = new Map<string, Trace>();
  const traceIdOf = (run: typeof runA, id: string) => run.scenarios.find((s) => s.id === id)!.traceId!;
  // The fixtures give a scenario the same trace id in both runs; make B's distinct.
  const b = { ...runB, scenarios: runB.scenarios.map((s) => ({ ...s, traceId: s.traceId!.replace(/^./, 'f') })) };
  traces.set(traceIdOf(runA, 'stays-green'), trace(traceIdOf(runA, 'stays-green'), 1000, 2, 1000));
  traces.set(traceIdOf(b, 'stays-green'), trace(traceIdOf(b, 'stays-green'), 2600, 2, 1100));
  traces.set(traceIdOf(runA, 'breaks'), trace(traceIdOf(runA, 'breaks'), 1000, 6, 4000));
  traces.set(traceIdOf(b, 'breaks'), trace(traceIdOf(b, 'breaks'), 1200, 3, 4000));
  const diff = diffRuns(runA, b, { metricsOf: (id) => (traces.has(id) ? computeTraceMetrics(traces.get(id)!) : undefined) });
  const flags = (id: string) => diff.scenarios.find((s) => s.id === id)!.metricFlags.map((f) => `${f.metric} ${f.direction}`);
  assert.deepEqual(flags('stays-green'), ['inputTokens up', 'outputTokens up', 'totalTokens up']);
  assert.deepEqual(flags('breaks'), ['toolCalls down']);
  assert.deepEqual(flags('gets-fixed'), [], 'no trace, no flag');
  assert.equal(diff.totals!.before.totalTokens, 2000);
  assert.equal(diff.totals!.after.totalTokens, 3800);
  assert.deepEqual(diff.totals!.flags, [], 'totals moved less than ×2');

  const text = renderDiffText(diff);
  assert.match(text, /Newly failing \(1\):\n  ✗ breaks  scenarios\/main.scenario.yaml:2  passed → failed\n      no-leakage \[newly-failing\] passed → failed: uses the label as a feature/);
  assert.match(text, /stays-green: ▲ totalTokens ×2.6 \(1000 → 2600\)/);
  assert.match(text, /1 newly failing, 1 fixed, 1 still failing, 1 passing in both/);
});

test('default runs: the latest against the last all-green run before it', async () => {
  const ws = await mkdtemp(path.join(tmpdir(), 'costar-diff-'));
  const green = (id: string) => report(id, [scenario('a', 'passed', [])]);
  const red = (id: string) => report(id, [scenario('a', 'failed', [])]);
  await assert.rejects(selectRunsToDiff(ws), /no stored run in .*run the scenarios first/);
  for (const r of [green('20240101-000000000-aaaaaa'), red('20240102-000000000-bbbbbb'), green('20240103-000000000-cccccc'), red('20240104-000000000-dddddd')]) await saveReport(ws, r);
  const picked = await selectRunsToDiff(ws);
  assert.deepEqual([picked.a.runId, picked.b.runId], ['20240103-000000000-cccccc', '20240104-000000000-dddddd']);
  const named = await selectRunsToDiff(ws, undefined, '20240102-000000000-bbbbbb');
  assert.equal(named.a.runId, '20240101-000000000-aaaaaa');
  await assert.rejects(selectRunsToDiff(ws, 'nope'), /no run "nope"/);
  await assert.rejects(selectRunsToDiff(ws, undefined, '20240101-000000000-aaaaaa'), /no all-green run before 20240101-000000000-aaaaaa.*costar diff RUN_A RUN_B/);
});
