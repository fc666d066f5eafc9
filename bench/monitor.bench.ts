/**
 * Monitoring throughput: import of a generated month of production traces, first scoring
 * (one built-in check), a re-report on stored scores, and the window analysis alone on a
 * large set of observations.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TraceStore } from '../src/core/trace/store';
import { importProduction } from '../src/core/monitor/importProduction';
import { parseMonitorConfig } from '../src/core/monitor/config';
import { ScoreStore } from '../src/core/monitor/scoreStore';
import { scoreProduction } from '../src/core/monitor/scoreProduction';
import { builtinCheckScorer } from '../src/core/monitor/scorer';
import { analyzeMonitor, type Observation } from '../src/core/monitor/analyze';
import { writeMonth } from '../test/unit/monitor-month';

const PER_DAY = Number(process.env.PER_DAY ?? 100);

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

async function main() {
  const ws = await mkdtemp(path.join(tmpdir(), 'costar-monitor-bench-'));
  const config = parseMonitorConfig('judges:\n  - judge: contains\n    name: answers-ok\n    with: { text: "OK:" }\n', path.join(ws, 'costar.monitor.yaml'));
  const traces = await writeMonth(path.join(ws, 'in'), PER_DAY);
  const [, importMs] = await timed(() => importProduction([path.join(ws, 'in')], new TraceStore(ws)));
  const [scored, scoreMs] = await timed(() => scoreProduction(new TraceStore(ws), new ScoreStore(ws), config, builtinCheckScorer(ws)));
  const [rescored, rescoreMs] = await timed(() => scoreProduction(new TraceStore(ws), new ScoreStore(ws), config, builtinCheckScorer(ws)));
  const [, analyzeMs] = await timed(async () => analyzeMonitor(rescored.observations, rescored.metricObservations, config));

  const big: Observation[] = Array.from({ length: 1_000_000 }, (_, i) => ({ traceId: String(i), time: Date.UTC(2024, 0, 1) + i * 2_592, judge: `j${i % 5}`, outcome: i % 10 === 0 ? 'failed' : 'passed' }));
  const [, bigMs] = await timed(async () => analyzeMonitor(big, [], { ...config, metrics: [] }));
  await rm(ws, { recursive: true, force: true });

  const rows: [string, number, number][] = [
    ['import (OTLP JSONL + protobuf)', traces, importMs],
    ['first report: score + metrics', scored.scoredTraces, scoreMs],
    ['re-report on stored scores', rescored.observations.length, rescoreMs],
    ['window analysis (month)', rescored.observations.length, analyzeMs],
    ['window analysis (1M verdicts, 5 judges)', big.length, bigMs],
  ];
  console.log('| step | items | ms | items/s |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [step, items, ms] of rows) console.log(`| ${step} | ${items} | ${ms.toFixed(0)} | ${Math.round((items / ms) * 1000)} |`);
}

void main();
