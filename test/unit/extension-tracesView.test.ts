/**
 * The Traces view on real stored traces and run reports: newest first, outcome from the
 * report (a trace alone only knows whether its root errored), previews, duration, tokens,
 * filters by outcome and scenario, and each row opens the trace viewer.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { saveReport } from '../../src/core/run/runStore';
import { META } from '../../src/core/trace/model';
import { TraceStore } from '../../src/core/trace/store';
import { loadTraceRows } from '../../src/extension/traces/traceSource';
import { TracesView } from '../../src/extension/traces/tracesView';
import { TraceBuilder } from '../support/traceBuilder';
import { fakeHost } from './extension-fakeHost';
import { report, scenario, verdict } from './report-fixtures';

async function workspace() {
  const ws = await mkdtemp(path.join(tmpdir(), 'costar-traces-view-'));
  const store = new TraceStore(ws);
  const ids: string[] = [];
  for (const [i, [scenarioId, state]] of ([['clean-csv', 'OK'], ['skewed-income', 'OK'], [undefined, 'ERROR']] as const).entries()) {
    const b = new TraceBuilder();
    b.span({ name: 'agent', spanType: 'AGENT', durationMs: 1500 + i, inputs: { prompt: `Clean table ${i}\n  please` }, outputs: { output: 'x'.repeat(300) } });
    const trace = b.build({ metadata: scenarioId ? { [META.scenarioId]: scenarioId, [META.runId]: 'r1' } : {} });
    trace.info.traceId = String(i + 1).repeat(32);
    trace.info.requestTime = 1_700_000_000_000 + i * 60_000;
    trace.info.state = state;
    trace.info.requestPreview = `Clean table ${i}\n  please`;
    trace.info.responsePreview = 'x'.repeat(300);
    await store.put(trace);
    ids.push(trace.info.traceId);
  }
  const failing = scenario('skewed-income', 'failed', [verdict('robust-imputation', 'failed')]);
  failing.attempts[0]!.traceId = ids[1]!;
  failing.attempts[0]!.metrics = { totalTokens: 1234 } as never;
  const passing = scenario('clean-csv', 'passed', [verdict('file-exists', 'passed')]);
  passing.attempts[0]!.traceId = ids[0]!;
  await saveReport(ws, report('20240101-000000-aaa', [passing, failing]));
  return { ws, ids };
}

test('rows: newest first, outcome and tokens from the run report, one-line previews, imported traces by their state', async () => {
  const { ws, ids } = await workspace();
  const rows = await loadTraceRows(ws, {});
  assert.deepEqual(rows.map((r) => [r.label, r.status, r.tokens]), [['trace 33333333', 'trace-error', undefined], ['skewed-income', 'failed', 1234], ['clean-csv', 'passed', undefined]]);
  assert.equal(rows[1]!.traceId, ids[1]);
  assert.equal(rows[1]!.prompt, 'Clean table 1 please');
  assert.equal(rows[1]!.output.length, 120);
  assert.ok(rows[1]!.output.endsWith('…'));
  assert.deepEqual((await loadTraceRows(ws, { statuses: ['failed', 'trace-error'] })).map((r) => r.label), ['trace 33333333', 'skewed-income']);
  assert.deepEqual((await loadTraceRows(ws, { scenario: 'CLEAN' })).map((r) => r.label), ['clean-csv']);
});

test('the view shows scenario, outcome, duration, tokens and age; prompt and output below; a click opens the viewer', async () => {
  const { ws, ids } = await workspace();
  const host = fakeHost(ws);
  const view = new TracesView(host.vscode, () => ({ rows: (filter) => loadTraceRows(ws, filter) }), () => 1_700_000_000_000 + 3 * 3_600_000);
  const top = await view.getChildren();
  const item = view.getTreeItem(top[1]!);
  assert.equal(item.label, 'skewed-income');
  assert.equal(item.description, 'failed · 1.5s · 1234 tokens · 3 h ago');
  assert.deepEqual(item.command?.arguments, [{ traceId: ids[1] }]);
  assert.equal((item.iconPath as { id: string }).id, 'error');
  assert.match(String(item.tooltip), /Prompt: Clean table 1 please/);
  const details = (await view.getChildren(top[1])).map((n) => view.getTreeItem(n).label);
  assert.deepEqual(details.map((l) => String(l).slice(0, 28)), ['Prompt: Clean table 1 please', 'Output: xxxxxxxxxxxxxxxxxxxx']);

  view.setFilter({ statuses: ['passed'] });
  assert.deepEqual((await view.getChildren()).map((n) => view.getTreeItem(n).label), ['clean-csv']);
  assert.deepEqual(host.executed.at(-1), ['setContext', 'costar.traces.filtered', true], 'the welcome text and clear button know a filter is on');
  view.dispose();
});
