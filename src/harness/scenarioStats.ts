/**
 * What a scenario's attempts add up to beyond pass/fail: mean operational metrics, their ×2
 * changes since the previous run, and for repeated scenarios pass@k, pass^k and per-judge
 * pass rates with Wilson intervals.
 */
import { compareMetrics, METRIC_NAMES, type MetricFlag, type TraceMetrics } from '../core/judges/metrics';
import { passAtK, passHatK, wilsonInterval } from '../core/judges/stats';
import type { AttemptResult, RepeatStats, RunReport } from '../core/run/protocol';

export function meanMetrics(attempts: readonly AttemptResult[]): TraceMetrics | undefined {
  const measured = attempts.flatMap((a) => (a.metrics ? [a.metrics] : []));
  if (measured.length === 0) return undefined;
  const mean = Object.fromEntries(METRIC_NAMES.map((name) => [name, measured.reduce((sum, m) => sum + m[name], 0) / measured.length]));
  return mean as unknown as TraceMetrics;
}

/** scenario id → its metrics in a run (the baseline the next run compares with). */
export function metricsByScenario(report: RunReport | undefined): Map<string, TraceMetrics> {
  return new Map((report?.scenarios ?? []).flatMap((s) => (s.metrics ? [[s.id, s.metrics] as const] : [])));
}

export function metricFlags(current: TraceMetrics | undefined, previous: TraceMetrics | undefined): MetricFlag[] | undefined {
  if (!current || !previous) return undefined;
  const flags = compareMetrics(current, previous);
  return flags.length > 0 ? flags : undefined;
}

export function repeatStats(attempts: readonly AttemptResult[]): RepeatStats | undefined {
  if (attempts.length < 2) return undefined;
  const counted = attempts.filter((a) => a.status !== 'skipped');
  const n = counted.length;
  const c = counted.filter((a) => a.status === 'passed').length;
  const ks = n > 0 ? [...new Set([1, n])] : [];
  const judges = new Map<number, RepeatStats['judges'][number]>();
  for (const attempt of attempts) {
    for (const verdict of attempt.verdicts) {
      if (verdict.outcome === 'skipped') continue;
      const entry = judges.get(verdict.expectationIndex) ?? { judge: verdict.judge, name: verdict.name, expectationIndex: verdict.expectationIndex, passed: 0, counted: 0, rate: 0, low: 0, high: 1 };
      entry.counted++;
      if (verdict.outcome === 'passed') entry.passed++;
      judges.set(verdict.expectationIndex, entry);
    }
  }
  return {
    attempts: attempts.length,
    passed: c,
    passAtK: Object.fromEntries(ks.map((k) => [String(k), passAtK(n, c, k)])),
    passHatK: Object.fromEntries(ks.map((k) => [String(k), passHatK(n, c, k)])),
    judges: [...judges.values()].sort((a, b) => a.expectationIndex - b.expectationIndex).map((j) => ({ ...j, ...wilsonInterval(j.passed, j.counted) })),
  };
}
