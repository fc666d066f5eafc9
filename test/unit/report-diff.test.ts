import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { diffRuns } from '../../src/core/report/diff';
import { renderDiffText } from '../../src/core/report/diffText';
import { selectRunsToDiff } from '../../src/core/report/selectRuns';
import { saveReport } from '../../src/core/run/runStore';
import { compareMetrics, computeTraceMetrics } from '../../src/core/judges/metrics';
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
  scenario('new-and-red', 'failed', [verdict('file-exists', 'failed', 'no report.md')]),
]);

test('per scenario and per judge: newly failing (a new red scenario too), fixed, still failing, added, removed', () => {
  const diff = diffRuns(runA, runB);
  const byId = Object.fromEntries(diff.scenarios.map((s) => [s.id, s]));
  assert.deepEqual(
    diff.scenarios.map((s) => [s.id, s.change]),
    [['stays-green', 'passing'], ['breaks', 'newly-failing'], ['gets-fixed', 'fixed'], ['stays-red', 'still-failing'], ['brand-new', 'added'], ['new-and-red', 'newly-failing'], ['dropped', 'removed']],
  );
  assert.deepEqual(
    byId.breaks!.judges.map((j) => [j.judge, j.change, j.rationale]),
    [['file-exists', 'passing', 'file-exists passed'], ['no-leakage', 'newly-failing', 'uses the label as a feature']],
  );
  assert.deepEqual(byId['stays-red']!.judges.map((j) => [j.judge, j.before, j.after, j.change]), [['file-exists', undefined, 'failed', 'newly-failing']]);
  assert.deepEqual(diff.counts, { 'newly-failing': 2, fixed: 1, 'still-failing': 1, passing: 1, skipped: 0, added: 1, removed: 1 });
});

test('a partial run B (a one-scenario re-run) lists none of the scenarios it did not select as removed', () => {
  const rerun = { ...report('run-c', [scenario('breaks', 'failed', [verdict('file-exists', 'passed'), verdict('no-leakage', 'failed', 'still leaks')])]), complete: false };
  const diff = diffRuns(runA, rerun);
  assert.deepEqual(diff.scenarios.map((s) => [s.id, s.change]), [['breaks', 'newly-failing']]);
  assert.doesNotMatch(renderDiffText(diff), /absent/);
  assert.deepEqual(diffRuns(runA, { ...rerun, complete: true }).scenarios.map((s) => s.change).filter((c) => c === 'removed').length, 4, 'a complete B does drop them');
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
  assert.match(text, /Newly failing \(2\):\n  ✗ breaks  scenarios\/main.scenario.yaml:2  passed → failed\n      no-leakage \[newly-failing\] passed → failed: uses the label as a feature/);
  assert.match(text, /stays-green: ▲ totalTokens ×2.6 \(1000 → 2600\)/);
  assert.match(text, /2 newly failing, 1 fixed, 1 still failing, 1 passing in both/);
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
  await assert.rejects(selectRunsToDiff(ws, undefined, '20240101-000000000-aaaaaa'), /no complete all-green run before 20240101-000000000-aaaaaa.*costar diff RUN_A RUN_B/);
  const latest = await selectRunsToDiff(ws, undefined, 'latest');
  assert.deepEqual([latest.a.runId, latest.b.runId], ['20240103-000000000-cccccc', '20240104-000000000-dddddd'], '"latest" names the newest run');
  assert.equal((await selectRunsToDiff(ws, '20240101-000000000-aaaaaa', 'latest')).b.runId, '20240104-000000000-dddddd');
});

test('the baseline is the last complete green run: a green re-run of one scenario is not "the last green run"', async () => {
  const ws = await mkdtemp(path.join(tmpdir(), 'costar-diff-'));
  const suite = (status: 'passed' | 'failed') => [scenario('a', 'passed', []), scenario('b', status, [])];
  await saveReport(ws, report('20240101-000000000-aaaaaa', suite('passed'), { complete: true }));
  await saveReport(ws, report('20240102-000000000-bbbbbb', suite('failed'), { complete: true }));
  // `costar run --scenario a`: green, but it did not run b.
  await saveReport(ws, report('20240103-000000000-cccccc', [scenario('a', 'passed', [])], { complete: false }));
  await saveReport(ws, report('20240104-000000000-dddddd', suite('failed'), { complete: true }));
  const picked = await selectRunsToDiff(ws);
  assert.equal(picked.a.runId, '20240101-000000000-aaaaaa');
  assert.equal(diffRuns(picked.a, picked.b).counts['newly-failing'], 1);
});

test('a report from before `complete` existed is a baseline when it ran at least as many scenarios', async () => {
  const ws = await mkdtemp(path.join(tmpdir(), 'costar-diff-'));
  await saveReport(ws, report('20240101-000000000-aaaaaa', [scenario('a', 'passed', []), scenario('b', 'passed', [])]));
  await saveReport(ws, report('20240102-000000000-bbbbbb', [scenario('a', 'passed', [])]));
  await saveReport(ws, report('20240103-000000000-cccccc', [scenario('a', 'passed', []), scenario('b', 'failed', [])]));
  assert.equal((await selectRunsToDiff(ws)).a.runId, '20240101-000000000-aaaaaa');
});

test('latency flags need a change of a second or more as well as ×2', () => {
  const metrics = (latencyMs: number) => ({ inputTokens: 0, outputTokens: 0, totalTokens: 0, toolCalls: 0, toolErrors: 0, toolFailureRatio: 0, latencyMs, modelCalls: 0 });
  assert.deepEqual(compareMetrics(metrics(1250), metrics(300)), [], '300 ms → 1250 ms is noise');
  assert.deepEqual(compareMetrics(metrics(900), metrics(0)), [], 'from 0 to under a second is noise too');
  assert.deepEqual(compareMetrics(metrics(1400), metrics(300)).map((f) => f.metric), ['latencyMs'], '300 ms → 1.4 s is not');
  assert.deepEqual(compareMetrics(metrics(2500), metrics(1000)).map((f) => [f.metric, f.direction]), [['latencyMs', 'up']]);
  assert.deepEqual(compareMetrics(metrics(1500), metrics(1000)), [], '×1.5 is under the ratio');
});
