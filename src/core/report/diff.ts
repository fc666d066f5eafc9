/**
 * Run diff for regression triage: what changed between run A (by default the last all-green
 * run) and run B (by default the latest): per scenario and per judge, newly failing / fixed /
 * still failing, and operational metrics that moved by ×2 or more.
 */
import type { RunReport, RunSummary, ScenarioResult } from '../run/protocol';
import type { Outcome, Verdict } from '../judges/types';
import { compareMetrics, sumMetrics, type MetricFlag, type TraceMetrics } from '../judges/metrics';
import { lastAttemptVerdicts } from './jsonReport';

export type Change = 'newly-failing' | 'fixed' | 'still-failing' | 'passing' | 'skipped' | 'added' | 'removed';

export interface JudgeDiff {
  judge: string;
  name: string;
  expectationIndex: number;
  before?: Outcome;
  after?: Outcome;
  change: Change;
  /** Rationale in run B (or A when the judge is gone): why it fails now. */
  rationale: string;
}

export interface ScenarioDiff {
  id: string;
  file: string;
  line: number;
  before?: Outcome;
  after?: Outcome;
  change: Change;
  judges: JudgeDiff[];
  metricsBefore?: TraceMetrics;
  metricsAfter?: TraceMetrics;
  /** Metrics that at least doubled or halved; empty when either trace is unavailable. */
  metricFlags: MetricFlag[];
}

export interface RunRef {
  runId: string;
  startedAt: number;
  summary: RunSummary;
}

export interface RunDiff {
  a: RunRef;
  b: RunRef;
  scenarios: ScenarioDiff[];
  counts: Record<Change, number>;
  /** Sums over the scenarios whose traces were found in both runs. */
  totals?: { before: TraceMetrics; after: TraceMetrics; flags: MetricFlag[] };
}

export interface DiffOptions {
  /** Operational metrics of a stored trace, or undefined when the trace is not available. */
  metricsOf?: (traceId: string) => TraceMetrics | undefined;
  /** Ratio that flags a metric (default 2). */
  factor?: number;
}

export const CHANGES: readonly Change[] = ['newly-failing', 'fixed', 'still-failing', 'passing', 'skipped', 'added', 'removed'];

export function diffRuns(a: RunReport, b: RunReport, options: DiffOptions = {}): RunDiff {
  const factor = options.factor ?? 2;
  const before = new Map(a.scenarios.map((s) => [scenarioKey(s), s]));
  const after = new Map(b.scenarios.map((s) => [scenarioKey(s), s]));
  // A partial B (a re-run of one scenario, a tag, a shard) did not drop what it did not select:
  // only a complete B can say a scenario is gone.
  const gone = b.complete === false ? [] : [...before.keys()].filter((k) => !after.has(k));
  const keys = [...after.keys(), ...gone];
  const scenarios = keys.map((key) => diffScenario(before.get(key), after.get(key), options.metricsOf, factor));
  const counts = Object.fromEntries(CHANGES.map((c) => [c, 0])) as Record<Change, number>;
  for (const s of scenarios) counts[s.change]++;
  const paired = scenarios.filter((s) => s.metricsBefore && s.metricsAfter);
  const totals =
    paired.length === 0
      ? undefined
      : (() => {
          const sumBefore = sumMetrics(paired.map((s) => s.metricsBefore!));
          const sumAfter = sumMetrics(paired.map((s) => s.metricsAfter!));
          return { before: sumBefore, after: sumAfter, flags: compareMetrics(sumAfter, sumBefore, factor) };
        })();
  return { a: ref(a), b: ref(b), scenarios, counts, ...(totals ? { totals } : {}) };
}

function ref(report: RunReport): RunRef {
  return { runId: report.runId, startedAt: report.startedAt, summary: report.summary };
}

function scenarioKey(s: ScenarioResult): string {
  return `${s.file}\u0000${s.id}`;
}

function diffScenario(a: ScenarioResult | undefined, b: ScenarioResult | undefined, metricsOf: DiffOptions['metricsOf'], factor: number): ScenarioDiff {
  const current = (b ?? a)!;
  const metricsBefore = a?.traceId ? metricsOf?.(a.traceId) : undefined;
  const metricsAfter = b?.traceId ? metricsOf?.(b.traceId) : undefined;
  return {
    id: current.id,
    file: current.file,
    line: current.line,
    ...(a ? { before: a.status } : {}),
    ...(b ? { after: b.status } : {}),
    change: classify(a?.status, b?.status),
    judges: diffJudges(a ? lastAttemptVerdicts(a) : [], b ? lastAttemptVerdicts(b) : []),
    ...(metricsBefore ? { metricsBefore } : {}),
    ...(metricsAfter ? { metricsAfter } : {}),
    metricFlags: metricsBefore && metricsAfter ? compareMetrics(metricsAfter, metricsBefore, factor) : [],
  };
}

function diffJudges(a: Verdict[], b: Verdict[]): JudgeDiff[] {
  const key = (v: Verdict) => `${v.expectationIndex}\u0000${v.judge}`;
  const before = new Map(a.map((v) => [key(v), v]));
  const after = new Map(b.map((v) => [key(v), v]));
  const keys = [...after.keys(), ...[...before.keys()].filter((k) => !after.has(k))];
  return keys.map((k) => {
    const va = before.get(k);
    const vb = after.get(k);
    const current = (vb ?? va)!;
    return {
      judge: current.judge,
      name: current.name || current.judge,
      expectationIndex: current.expectationIndex,
      ...(va ? { before: va.outcome } : {}),
      ...(vb ? { after: vb.outcome } : {}),
      change: classify(va?.outcome, vb?.outcome),
      rationale: [current.rationale, current.error].filter(Boolean).join(' — '),
    };
  });
}

/**
 * A failure and an error both count as "not passing" here: either way the scenario went red.
 * Something new that is red is newly failing: against a complete baseline it did not exist
 * then, so it is a regression of this change like any other.
 */
export function classify(before: Outcome | undefined, after: Outcome | undefined): Change {
  if (before === undefined) return after !== undefined && after !== 'passed' && after !== 'skipped' ? 'newly-failing' : 'added';
  if (after === undefined) return 'removed';
  if (before === 'skipped' || after === 'skipped') return 'skipped';
  const wasRed = before !== 'passed';
  const isRed = after !== 'passed';
  if (!wasRed && isRed) return 'newly-failing';
  if (wasRed && !isRed) return 'fixed';
  return isRed ? 'still-failing' : 'passing';
}

/** All green: something ran and nothing failed or errored. */
export function isGreen(report: RunReport): boolean {
  return report.summary.passed > 0 && report.summary.failed === 0 && report.summary.error === 0;
}

/**
 * A baseline "last green run" must have run the whole suite: a one-scenario re-run that passed
 * says nothing about the others. Reports record `complete` (see RunReport); one written
 * before that field existed counts when it ran at least as many scenarios as `than`.
 */
export function isCompleteGreen(report: RunReport, than: RunReport): boolean {
  const complete = report.complete ?? report.scenarios.length >= than.scenarios.length;
  return complete && isGreen(report);
}
