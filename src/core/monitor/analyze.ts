/**
 * Pass rate per judge per time window, with Wilson intervals, and drift alerts:
 * - a judge's window alerts when its whole interval lies below the baseline's interval
 *   (the pooled preceding windows) — a drop the noise of a stable agent does not explain;
 * - a metric's window alerts when its median is `metricFactor` times the baseline median.
 * Windows that alerted are left out of later baselines, so a lasting regression keeps
 * alerting instead of becoming the new normal.
 */
import type { Outcome } from '../judges/types';
import { wilsonInterval, type Interval } from '../judges/stats';
import type { MetricName, TraceMetrics } from '../judges/metrics';
import type { MonitorConfig } from './config';

export interface Observation {
  traceId: string;
  /** Milliseconds since the epoch (the trace's request time). */
  time: number;
  judge: string;
  outcome: Outcome;
}

export interface MetricObservation {
  traceId: string;
  time: number;
  metrics: TraceMetrics;
}

export interface JudgeWindow {
  judge: string;
  passed: number;
  failed: number;
  error: number;
  skipped: number;
  /** Pass rate over passed + failed (errors and skips are not evidence either way); null without any. */
  interval: Interval | null;
  baseline: (Interval & { n: number }) | null;
  alert: boolean;
}

export interface MetricWindow {
  metric: MetricName;
  n: number;
  median: number | null;
  baselineMedian: number | null;
  alert: boolean;
}

export interface MonitorWindow {
  start: number;
  end: number;
  traces: number;
  judges: JudgeWindow[];
  metrics: MetricWindow[];
}

export interface MonitorAlert {
  kind: 'pass-rate' | 'metric';
  start: number;
  end: number;
  judge?: string;
  metric?: MetricName;
  message: string;
}

export interface MonitorReport {
  windowMs: number;
  windows: MonitorWindow[];
  alerts: MonitorAlert[];
}

const Z: Record<MonitorConfig['confidence'], number> = { 0.9: 1.645, 0.95: 1.96, 0.99: 2.576 };

type AnalysisConfig = Pick<MonitorConfig, 'window' | 'baseline' | 'minSamples' | 'confidence' | 'metricFactor' | 'metrics'>;

export function analyzeMonitor(observations: readonly Observation[], metricObservations: readonly MetricObservation[], config: AnalysisConfig): MonitorReport {
  const windowMs = config.window;
  const z = Z[config.confidence];
  if (observations.length === 0 && metricObservations.length === 0) return { windowMs, windows: [], alerts: [] };
  // A loop, not Math.min(...times): spreading a million arguments overflows the stack.
  let minTime = Infinity;
  let maxTime = -Infinity;
  for (const { time } of [...observations, ...metricObservations]) {
    if (time < minTime) minTime = time;
    if (time > maxTime) maxTime = time;
  }
  const first = Math.floor(minTime / windowMs);
  const last = Math.floor(maxTime / windowMs);
  const slots = last - first + 1;
  const slot = (time: number) => Math.floor(time / windowMs) - first;

  const judges = [...new Set(observations.map((o) => o.judge))].sort();
  const counts = new Map(judges.map((j) => [j, Array.from({ length: slots }, () => ({ passed: 0, failed: 0, error: 0, skipped: 0 }))]));
  const traceIds = Array.from({ length: slots }, () => new Set<string>());
  for (const o of observations) {
    counts.get(o.judge)![slot(o.time)]![o.outcome]++;
    traceIds[slot(o.time)]!.add(o.traceId);
  }
  const values = new Map(config.metrics.map((m) => [m, Array.from({ length: slots }, () => [] as number[])]));
  for (const m of metricObservations) {
    traceIds[slot(m.time)]!.add(m.traceId);
    for (const metric of config.metrics) values.get(metric)![slot(m.time)]!.push(m.metrics[metric]);
  }

  const windows: MonitorWindow[] = Array.from({ length: slots }, (_, i) => ({
    start: (first + i) * windowMs,
    end: (first + i + 1) * windowMs,
    traces: traceIds[i]!.size,
    judges: [],
    metrics: [],
  }));
  const alerts: MonitorAlert[] = [];

  for (const judge of judges) {
    const series = counts.get(judge)!;
    const alerted: boolean[] = [];
    series.forEach((c, i) => {
      const n = c.passed + c.failed;
      const baseWindows = precedingCalm(i, config.baseline, alerted);
      const baseK = baseWindows.reduce((sum, w) => sum + series[w]!.passed, 0);
      const baseN = baseWindows.reduce((sum, w) => sum + series[w]!.passed + series[w]!.failed, 0);
      const interval = n > 0 ? wilsonInterval(c.passed, n, z) : null;
      const baseline = baseN >= config.minSamples ? { ...wilsonInterval(baseK, baseN, z), n: baseN } : null;
      const alert = interval !== null && baseline !== null && n >= config.minSamples && interval.high < baseline.low;
      alerted.push(alert);
      windows[i]!.judges.push({ judge, ...c, interval, baseline, alert });
      if (alert) {
        alerts.push({
          kind: 'pass-rate',
          start: windows[i]!.start,
          end: windows[i]!.end,
          judge,
          message: `${judge}: pass rate ${pct(interval.rate)} [${pct(interval.low)}–${pct(interval.high)}] over ${n} traces, below its baseline ${pct(baseline.rate)} [${pct(baseline.low)}–${pct(baseline.high)}] over ${baseN}`,
        });
      }
    });
  }

  for (const metric of config.metrics) {
    const series = values.get(metric)!;
    const alerted: boolean[] = [];
    series.forEach((list, i) => {
      const baseValues = precedingCalm(i, config.baseline, alerted).flatMap((w) => series[w]!);
      const current = median(list);
      const base = baseValues.length >= config.minSamples ? median(baseValues) : null;
      const alert = current !== null && base !== null && base > 0 && list.length >= config.minSamples && current >= config.metricFactor * base;
      alerted.push(alert);
      windows[i]!.metrics.push({ metric, n: list.length, median: current, baselineMedian: base, alert });
      if (alert) {
        alerts.push({
          kind: 'metric',
          start: windows[i]!.start,
          end: windows[i]!.end,
          metric,
          message: `${metric}: median ${round(current!)} over ${list.length} traces is ×${round(current! / base!)} its baseline median ${round(base!)}`,
        });
      }
    });
  }
  alerts.sort((a, b) => a.start - b.start || a.message.localeCompare(b.message));
  return { windowMs, windows, alerts };
}

/** Up to `count` windows before `index` that did not alert, nearest first. */
function precedingCalm(index: number, count: number, alerted: readonly boolean[]): number[] {
  const chosen: number[] = [];
  for (let w = index - 1; w >= 0 && chosen.length < count; w--) if (!alerted[w]) chosen.push(w);
  return chosen;
}

function median(list: readonly number[]): number | null {
  if (list.length === 0) return null;
  const sorted = [...list].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
