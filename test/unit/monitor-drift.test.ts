import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TraceStore } from '../../src/core/trace/store';
import { importProduction } from '../../src/core/monitor/importProduction';
import { parseMonitorConfig } from '../../src/core/monitor/config';
import { ScoreStore } from '../../src/core/monitor/scoreStore';
import { scoreProduction } from '../../src/core/monitor/scoreProduction';
import { builtinCheckScorer } from '../../src/core/monitor/scorer';
import { analyzeMonitor } from '../../src/core/monitor/analyze';
import { DAY, MONTH_START, REGRESSION_DAY, TOKEN_JUMP_DAY, writeMonth } from './monitor-month';

const CONFIG = `
window: 1d
baseline: 7
minSamples: 30
metrics: [totalTokens, latencyMs]
judges:
  - judge: contains
    name: answers-ok
    with: { text: "OK:" }
`;

test('a month of production traces: the pass-rate alert fires on day 20, the token alert on day 25, nothing before', async () => {
  const ws = await mkdtemp(path.join(tmpdir(), 'costar-monitor-'));
  const total = await writeMonth(path.join(ws, 'incoming'), 80);
  const imported = await importProduction([path.join(ws, 'incoming')], new TraceStore(ws));
  assert.deepEqual(imported.filter((r) => r.error), []);
  assert.equal(imported.reduce((n, r) => n + r.traceIds.length, 0), total);
  assert.ok(imported[0]!.file.endsWith('day-01.pb'), 'protobuf files import too');

  const config = parseMonitorConfig(CONFIG, path.join(ws, 'costar.monitor.yaml'));
  const scored = await scoreProduction(new TraceStore(ws), new ScoreStore(ws), config, builtinCheckScorer(ws));
  assert.equal(scored.scoredTraces, total);
  assert.equal(scored.observations.length, total);

  const report = analyzeMonitor(scored.observations, scored.metricObservations, config);
  assert.equal(report.windows.length, 30);
  assert.equal(report.windows[0]!.start, MONTH_START);
  const dayOf = (time: number) => Math.round((time - MONTH_START) / DAY);
  const passRateAlerts = report.alerts.filter((a) => a.kind === 'pass-rate').map((a) => dayOf(a.start));
  const tokenAlerts = report.alerts.filter((a) => a.metric === 'totalTokens').map((a) => dayOf(a.start));
  assert.equal(passRateAlerts[0], REGRESSION_DAY, `first pass-rate alert on day 20, got ${passRateAlerts}`);
  assert.equal(tokenAlerts[0], TOKEN_JUMP_DAY, `first token alert on day 25, got ${tokenAlerts}`);
  assert.deepEqual(report.alerts.filter((a) => a.metric === 'latencyMs'), [], 'latency never moved');
  // A lasting regression keeps alerting: alerting windows never become the baseline.
  assert.deepEqual(passRateAlerts, Array.from({ length: 30 - REGRESSION_DAY }, (_, i) => REGRESSION_DAY + i));
  const day20 = report.windows[REGRESSION_DAY]!.judges[0]!;
  assert.ok(day20.interval!.high < day20.baseline!.low);
  assert.match(report.alerts[0]!.message, /^answers-ok: pass rate \d+\.\d% \[.*\] over 80 traces, below its baseline 9\d\.\d% /);

  // Scores are stored: a second report scores nothing again and sees the same verdicts.
  const again = await scoreProduction(new TraceStore(ws), new ScoreStore(ws), config, builtinCheckScorer(ws));
  assert.equal(again.scoredTraces, 0);
  assert.deepEqual(again.observations.map((o) => `${o.traceId}:${o.outcome}`).sort(), scored.observations.map((o) => `${o.traceId}:${o.outcome}`).sort());
});
