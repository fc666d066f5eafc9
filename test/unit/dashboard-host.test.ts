/**
 * The host side of the dashboard and of "Compare with last green run", without VS Code: the
 * page's CSP and embedded state, and the diff text computed from stored run reports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { renderDashboardHtml } from '../../src/extension/dashboard/html';
import { lastGreenDiff } from '../../src/extension/runDiff/lastGreenDiff';
import { RunSelectionError } from '../../src/core/report/selectRuns';
import { saveReport } from '../../src/core/run/runStore';
import { DashboardState } from '../../src/shared/dashboardProtocol';
import { report, scenario, verdict } from './report-fixtures';

test('the dashboard page runs only its nonce script and embeds hostile state as inert JSON', () => {
  const state: DashboardState = {
    title: 'x', generatedAt: 0,
    sections: [{ id: 'runs', title: '</script><script>alert(1)</script>', charts: [], alerts: [{ x: 0, message: '<!-- & \u2028' }] }],
  };
  const html = renderDashboardHtml({ cspSource: 'https://webview.test', scriptUri: 'https://webview.test/d.js', styleUris: ['https://webview.test/d.css'], state, nonce: 'n0nce' });
  assert.match(html, /content="default-src 'none'; script-src 'nonce-n0nce'; style-src https:\/\/webview.test; font-src https:\/\/webview.test; img-src https:\/\/webview.test"/);
  assert.equal(html.match(/<script/g)!.length, 2, 'the state element and the bundle, nothing from the state');
  const json = /<script type="application\/json" id="costar-dashboard-state">(.*)<\/script>/.exec(html)![1]!;
  assert.deepEqual(DashboardState.parse(JSON.parse(json)), state);
});

test('compare with last green: the newest run against the last all-green one, as costar diff prints it', async () => {
  const ws = await mkdtemp(path.join(tmpdir(), 'costar-rundiff-'));
  await assert.rejects(lastGreenDiff(ws), (e: Error) => e instanceof RunSelectionError && /no stored run .* run the scenarios first/.test(e.message));
  await saveReport(ws, report('20240101-000000-aaa', [scenario('clean-csv', 'passed', [verdict('file-exists', 'passed')])]));
  await assert.rejects(lastGreenDiff(ws), /no complete all-green run before 20240101-000000-aaa/);
  await saveReport(ws, report('20240102-000000-bbb', [scenario('clean-csv', 'failed', [verdict('file-exists', 'failed', 'clean.csv is missing')])]));
  const diff = await lastGreenDiff(ws);
  assert.deepEqual([diff.runA, diff.runB], ['20240101-000000-aaa', '20240102-000000-bbb']);
  assert.match(diff.text, /^Comparing 20240101-000000-aaa \(A: /);
  assert.match(diff.text, /Newly failing \(1\):\n.*clean-csv/);
  assert.match(diff.text, /clean\.csv is missing/);
  // A green re-run of part of the suite is not "the last green run".
  await saveReport(ws, report('20240103-000000-ccc', [scenario('clean-csv', 'passed', [verdict('file-exists', 'passed')])], { complete: false }));
  await saveReport(ws, report('20240104-000000-ddd', [scenario('clean-csv', 'failed', [verdict('file-exists', 'failed', 'clean.csv is missing')])], { complete: true }));
  assert.equal((await lastGreenDiff(ws)).runA, '20240101-000000-aaa');
});

test('compare with last green links each scenario line: file:line to the scenario, each outcome to its run\'s trace', async () => {
  const ws = await mkdtemp(path.join(tmpdir(), 'costar-rundiff-links-'));
  await saveReport(ws, report('20240101-000000-aaa', [scenario('clean-csv', 'passed', [verdict('file-exists', 'passed')])]));
  const failing = scenario('clean-csv', 'failed', [verdict('file-exists', 'failed', 'clean.csv is missing')], { traceId: 'b'.repeat(32) });
  failing.attempts[0]!.traceId = 'b'.repeat(32);
  await saveReport(ws, report('20240102-000000-bbb', [failing]));
  const diff = await lastGreenDiff(ws);
  const lines = diff.text.split('\n');
  const shown = diff.links.map((l) => ({ text: lines[l.line]!.slice(l.start, l.end), target: l.target }));
  assert.deepEqual(shown, [
    { text: 'scenarios/main.scenario.yaml:2', target: { kind: 'scenario', file: path.join(ws, 'scenarios/main.scenario.yaml'), line: 2 } },
    { text: 'passed', target: { kind: 'trace', traceFile: path.join(ws, '.costar', 'traces', `${scenario('clean-csv', 'passed', []).traceId}.trace.json`) } },
    { text: 'failed', target: { kind: 'trace', traceFile: path.join(ws, '.costar', 'traces', `${'b'.repeat(32)}.trace.json`) } },
  ]);
  assert.match(diff.links[2]!.tooltip, /run B \(20240102-000000-bbb\)/);
});
