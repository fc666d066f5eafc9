/**
 * The monitoring dashboard in real Chromium, on data computed from real files: a generated
 * month of production traces (regression from day 20) imported and scored, plus three test
 * runs with stored traces. Judge and expectation names are hostile strings. Needs
 * `npm run build` first; writes the screenshot artifact test-results/dashboard.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadDashboardState } from '../../src/extension/dashboard/dashboardData';
import { importProduction } from '../../src/core/monitor/importProduction';
import { loadMonitorConfig } from '../../src/core/monitor/config';
import { ScoreStore } from '../../src/core/monitor/scoreStore';
import { scoreProduction } from '../../src/core/monitor/scoreProduction';
import { builtinCheckScorer } from '../../src/core/monitor/scorer';
import type { Outcome } from '../../src/core/judges/types';
import type { RunReport } from '../../src/core/run/protocol';
import { saveReport } from '../../src/core/run/runStore';
import { TraceStore } from '../../src/core/trace/store';
import type { DashboardState } from '../../src/shared/dashboardProtocol';
import { verdict } from '../unit/report-fixtures';
import { DAY, MONTH_START, REGRESSION_DAY, writeMonth } from '../unit/monitor-month';
import { TraceBuilder } from '../support/traceBuilder';
import { HOSTILE } from './fixtures';
import { eventually } from './eventually';
import { dashboardBuilt, startDashboardHarness, type DashboardHarness, type OpenedDashboard } from './dashboardPage';

const SCREENSHOT = path.resolve(__dirname, '../../test-results/dashboard.png');

/** Three runs of two scenarios; the second scenario fails in the last run and its tokens triple. */
async function writeRuns(ws: string): Promise<void> {
  const store = new TraceStore(ws);
  for (let run = 0; run < 3; run++) {
    const scenarios = [];
    for (const [s, id] of ['clean-csv', 'skewed-income'].entries()) {
      const status: Outcome = run === 2 && s === 1 ? 'failed' : 'passed';
      const b = new TraceBuilder();
      const root = b.span({ name: 'analyst', spanType: 'AGENT', durationMs: 900 + run * 100, inputs: { prompt: id } });
      b.span({ parent: root, name: 'llm', spanType: 'CHAT_MODEL', tokens: { input: 800 * (status === 'failed' ? 3 : 1), output: 200 } });
      b.span({ parent: root, name: 'read', toolName: 'read_file', ...(run === 2 ? { error: 'ENOENT' } : {}) });
      const trace = b.build();
      trace.info.traceId = `${run}${s}`.padEnd(32, 'e');
      await store.put(trace);
      const verdicts = [verdict('no-leakage', status, 'checked', { name: HOSTILE.attrBreak })];
      scenarios.push({ id, file: 'suites/main.scenario.yaml', line: 2 + s * 8, status, traceId: trace.info.traceId, durationMs: 1000, attempts: [{ attempt: 1, status, traceId: trace.info.traceId, durationMs: 1000, verdicts }] });
    }
    const failed = scenarios.filter((s) => s.status === 'failed').length;
    const report: RunReport = {
      runId: `20240401-10000${run}-abc`, mode: 'run', workspaceDir: ws, startedAt: MONTH_START + 31 * DAY + run * 3_600_000, scenarios,
      summary: { total: 2, passed: 2 - failed, failed, error: 0, skipped: 0, durationMs: 2000 },
    };
    await saveReport(ws, report);
  }
}

describe('dashboard webview', { skip: !dashboardBuilt() && 'run `npm run build` first' }, () => {
  let harness: DashboardHarness;
  let ws: string;
  let state: DashboardState;
  let dashboard: OpenedDashboard;

  before(async () => {
    ws = await mkdtemp(path.join(tmpdir(), 'costar-dashboard-'));
    await writeMonth(path.join(ws, 'incoming'), 80);
    await importProduction([path.join(ws, 'incoming')], new TraceStore(ws));
    await writeFile(path.join(ws, 'costar.monitor.yaml'), `judges:\n  - judge: contains\n    name: ${JSON.stringify(HOSTILE.script)}\n    with: { text: "OK:" }\n`);
    await scoreProduction(new TraceStore(ws), new ScoreStore(ws), await loadMonitorConfig(ws), builtinCheckScorer(ws));
    await writeRuns(ws);
    state = await loadDashboardState(ws);
    harness = await startDashboardHarness();
    dashboard = await harness.open(state);
  });
  after(async () => {
    await harness?.close();
    await rm(ws, { recursive: true, force: true });
  });

  const production = () => state.sections.find((s) => s.id === 'production')!;
  const chartOf = (id: string) => state.sections.flatMap((s) => s.charts).find((c) => c.id === id)!;

  it('draws pass rate per judge over runs and windows, tokens, latency, tool failures and alert markers; screenshot', async () => {
    const { page } = dashboard;
    assert.deepEqual(await page.locator('figure.chart figcaption').allTextContents(), [
      'Pass rate per judge', 'Tokens per run (total)', 'Latency (median per scenario)', 'Tool failures per run',
      'Pass rate per judge per window', 'Tokens (median per trace)', 'Latency (median)', 'Tool failures',
    ]);
    assert.equal(await page.locator('circle.point[data-chart="production-pass-rate"]').count(), 30, 'one point per day');
    assert.equal(await page.locator('circle.point[data-chart="runs-pass-rate"]').count(), 3, 'one point per run');
    const passRateAlerts = chartOf('production-pass-rate').series[0]!.points.filter((p) => p.alert).length;
    assert.equal(passRateAlerts, 30 - REGRESSION_DAY, 'the regression alerts from day 20 on');
    assert.equal(await page.locator('[data-chart="production-pass-rate"] .alert-marker').count(), passRateAlerts);
    assert.equal(await page.locator('.section-production .alert').count(), production().alerts.length);
    assert.deepEqual(chartOf('runs-tokens').series[0]!.points.map((p) => p.y), [2000, 2000, 3600], 'tokens summed over the run\'s traces');
    assert.deepEqual(chartOf('runs-tool-failures').series[0]!.points.map((p) => p.y), [0, 0, 2]);
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('clicking a point opens its most telling trace, lists the others, and offers to promote failing production traces', async () => {
    const { page, posted } = dashboard;
    const point = chartOf('production-pass-rate').series[0]!.points[REGRESSION_DAY]!;
    const first = point.traces[0]!;
    // Independent of the dashboard's own data: the score store says this trace failed on day 20.
    const stored = await new ScoreStore(ws).get(first.traceId);
    assert.equal(stored!.verdicts[HOSTILE.script]!.outcome, 'failed');
    assert.equal(Math.floor((stored!.time - MONTH_START) / DAY), REGRESSION_DAY);

    posted.length = 0;
    await page.locator(`circle.point[data-chart="production-pass-rate"][data-series="0"][data-index="${REGRESSION_DAY}"]`).click();
    await eventually(async () => posted.filter((m) => (m as { type: string }).type === 'openTrace'), [{ type: 'openTrace', traceId: first.traceId }]);
    const rows = page.locator('.chart-card:has([data-chart="production-pass-rate"]) .trace-row');
    assert.equal(await rows.count(), point.traces.length);
    assert.equal(await page.locator('.chart-card:has([data-chart="production-pass-rate"]) .promote').count(), point.traces.filter((t) => t.outcome === 'failed').length);

    await page.locator(`.trace-row[data-trace-id="${first.traceId}"] .promote`).click();
    const second = point.traces[1]!;
    await page.locator(`.chart-card:has([data-chart="production-pass-rate"]) .trace-row[data-trace-id="${second.traceId}"] .open-trace`).click();
    await eventually(async () => posted.slice(1), [{ type: 'promote', traceId: first.traceId }, { type: 'openTrace', traceId: second.traceId }]);

    posted.length = 0;
    await page.locator('circle.point[data-chart="runs-tokens"][data-series="0"][data-index="2"]').click();
    await eventually(async () => posted, [{ type: 'openTrace', traceId: '21'.padEnd(32, 'e') }], 'the failing scenario of the last run comes first');
    assert.equal(await page.locator('.chart-card:has([data-chart="runs-tokens"]) .promote').count(), 0, 'test-run traces are scenarios already');
  });

  it('counts judge tokens beside the agent\'s, with round y ticks and a label per run', async () => {
    const tokens = chartOf('runs-tokens');
    assert.deepEqual(tokens.series.map((s) => s.name), ['Agent', 'Judges']);
    assert.deepEqual(tokens.series[1]!.points.map((p) => p.y), [0, 0, 0], 'the fixture verdicts cost no tokens');
    const { page } = dashboard;
    const yLabels = await page.locator('figure[data-chart="runs-tokens"] .axis-label:not(.x-label)').allTextContents();
    assert.deepEqual(yLabels, ['0', '1000', '2000', '3000', '4000']);
    const xLabels = await page.locator('figure[data-chart="runs-tokens"] .x-label').allTextContents();
    assert.deepEqual(xLabels, ['04-01 10:00:00', '04-01 10:00:01', '04-01 10:00:02'], 'one label per run');
  });

  it('keeps nine series apart by colour and makes points at the same value all clickable', async () => {
    const point = (x: number) => ({ x, label: `20240401-1${x}0000-abc`, y: 0.5, n: 1, traces: [] });
    const nine: DashboardState = {
      title: 'nine', generatedAt: 0,
      sections: [{ id: 'runs', title: 'Test runs', alerts: [], charts: [{
        id: 'nine', title: 'Nine judges', unit: 'rate',
        series: Array.from({ length: 9 }, (_, i) => ({ name: `judge ${i}`, points: [point(1), point(2)] })),
      }] }],
    };
    const opened = await harness.open(nine);
    const { page } = opened;
    await page.locator('circle.point').first().waitFor();
    const colours = await page.locator('figure[data-chart="nine"] .legend-item .swatch').evaluateAll((swatches) => swatches.map((s) => getComputedStyle(s).backgroundColor));
    assert.equal(new Set(colours).size, 9, `nine distinct colours: ${colours.join(' ')}`);
    for (let series = 0; series < 9; series++) {
      const dot = page.locator(`circle.point[data-chart="nine"][data-series="${series}"][data-index="1"]`);
      await dot.scrollIntoViewIfNeeded();
      const box = (await dot.boundingBox())!;
      const hit = await page.evaluate(([x, y]) => {
        const el = document.elementFromPoint(x!, y!);
        return el?.getAttribute('data-series') ?? `${el?.tagName}.${el?.getAttribute('class')}`; // what covers the point, when it is not the point
      }, [box.x + box.width / 2, box.y + box.height / 2]);
      assert.equal(hit, String(series), `the point of series ${series} is on top at its centre`);
    }
  });

  it('shows hostile judge names and messages as text: no script runs, nothing loads', async () => {
    const { page } = dashboard;
    await page.locator(`circle.point[data-chart="runs-pass-rate"][data-index="0"]`).click();
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
    assert.deepEqual(dashboard.requests.filter((url) => !url.startsWith(harness.origin)), [], 'no request left the page');
    assert.equal(await page.locator('#app script, #app img, #app a, #app style, #app iframe, #app foreignObject').count(), 0);
    const text = await page.locator('#app').innerText();
    assert.ok(text.includes(HOSTILE.script), 'the judge name is shown as text');
    assert.ok(text.includes(HOSTILE.attrBreak), 'the expectation name is shown as text');
    assert.ok(await page.locator('.chart-card').first().isVisible());
    assert.deepEqual(dashboard.errors, []);
  });
  it('a damaged run report is named in a warning above the charts, as text; the good runs are still drawn', async () => {
    const damaged = path.join(ws, '.costar', 'runs', '20240401-100009-bad', 'report.json');
    await mkdir(path.dirname(damaged), { recursive: true });
    await writeFile(damaged, '{"runId": "<b>half');
    const withWarning = await loadDashboardState(ws);
    const opened = await harness.open(withWarning);
    try {
      const warning = opened.page.locator('p.warning');
      await eventually(() => warning.count(), 1, 'one warning');
      const text = (await warning.textContent()) ?? '';
      assert.ok(text.startsWith(`skipped ${damaged}: `), text);
      assert.equal(await warning.locator('*').count(), 0, 'the warning is text, no markup');
      assert.ok(await opened.page.locator('circle.point[data-chart="runs-pass-rate"]').count() > 0, 'the good runs are drawn');
      assert.deepEqual(opened.errors, []);
    } finally {
      await rm(path.dirname(damaged), { recursive: true, force: true });
    }
  });
});
