/**
 * What the dashboard draws, computed from what is on disk — run reports under
 * `.costar/runs/` and the monitoring scores the last `costar monitor report` stored — without
 * running or scoring anything (opening a view must never spend model tokens). No `vscode`
 * here, so it is tested on plain files.
 */
import { analyzeMonitor, type MonitorReport } from '../../core/monitor/analyze';
import { judgeName, loadMonitorConfig, type MonitorConfig } from '../../core/monitor/config';
import { ScoreStore, type TraceScores } from '../../core/monitor/scoreStore';
import { computeTraceMetrics, type MetricName, type TraceMetrics } from '../../core/judges/metrics';
import type { Outcome } from '../../core/judges/types';
import { lastAttemptVerdicts } from '../../core/report/jsonReport';
import type { RunReport } from '../../core/run/protocol';
import { listRunIds, loadReports } from '../../core/run/runStore';
import { TraceStore } from '../../core/trace/store';
import type { Chart, ChartPoint, DashboardSection, DashboardState, PointTrace } from '../../shared/dashboardProtocol';
import { describeSkipped, type SkippedFile } from '../../core/util/files';

/** Traces listed per point: enough to find the failing ones, small enough to post. */
export const TRACES_PER_POINT = 50;
const LABEL_CHARS = 120;
const SEVERITY: Record<Outcome, number> = { failed: 0, error: 1, skipped: 2, passed: 3 };

export interface DashboardOptions {
  /** Newest runs shown (default 30). */
  maxRuns?: number;
}

export async function loadDashboardState(workspaceDir: string, options: DashboardOptions = {}): Promise<DashboardState> {
  const store = new TraceStore(workspaceDir);
  // Damaged reports and traces are left out and listed as warnings; the rest is drawn.
  const skipped: SkippedFile[] = [];
  const runIds = (await listRunIds(workspaceDir)).slice(-(options.maxRuns ?? 30));
  const reports = await loadReports(workspaceDir, runIds, skipped);
  const metrics = new Map<string, TraceMetrics>();
  for (const traceId of new Set(reports.flatMap((r) => r.scenarios.map((s) => s.traceId).filter((t): t is string => !!t)))) {
    const trace = await store.getOrSkip(traceId, skipped);
    if (trace) metrics.set(traceId, computeTraceMetrics(trace));
  }
  const config = await loadMonitorConfig(workspaceDir);
  const scores = await new ScoreStore(workspaceDir).all();
  const previews = new Map<string, string>();
  if (scores.length > 0) for (const info of await store.list(skipped)) if (info.requestPreview) previews.set(info.traceId, info.requestPreview);
  return {
    title: 'coSTAR dashboard',
    generatedAt: Date.now(),
    sections: [runsSection(reports, (id) => metrics.get(id)), productionSection(scores, config, (id) => previews.get(id))],
    ...(skipped.length > 0 ? { warnings: [...new Set(skipped.map(describeSkipped))] } : {}),
  };
}

/** Pass rate per judge, tokens, latency and tool failures over test runs (oldest first). */
export function runsSection(reports: readonly RunReport[], metricsOf: (traceId: string) => TraceMetrics | undefined): DashboardSection {
  const section: DashboardSection = { id: 'runs', title: 'Test runs', charts: [], alerts: [] };
  if (reports.length === 0) return { ...section, empty: 'No stored run yet: run the scenarios (Test Explorer or `costar run`).' };
  const judgeNames = [...new Set(reports.flatMap((r) => r.scenarios.flatMap((s) => lastAttemptVerdicts(s).map((v) => v.name))))].sort();
  const passRate: Chart = {
    id: 'runs-pass-rate', title: 'Pass rate per judge', unit: 'rate',
    series: judgeNames.map((name) => ({
      name,
      points: reports.map((report) => {
        const traces: PointTrace[] = [];
        for (const scenario of report.scenarios) {
          const verdict = lastAttemptVerdicts(scenario).find((v) => v.name === name);
          if (verdict && scenario.traceId) traces.push({ traceId: scenario.traceId, outcome: verdict.outcome, label: scenario.id, production: false });
        }
        return ratePoint(report.startedAt, report.runId, traces.map((t) => t.outcome!), traces);
      }),
    })),
  };
  const runTraces = (report: RunReport): PointTrace[] =>
    report.scenarios.flatMap((s) => (s.traceId ? [{ traceId: s.traceId, outcome: s.status, label: s.id, production: false }] : []));
  const metricChart = (id: string, title: string, unit: Chart['unit'], combine: (values: number[]) => number | null, metric: MetricName): Chart => ({
    id, title, unit,
    series: [{
      name: title,
      points: reports.map((report) => {
        const traces = runTraces(report);
        const values = traces.map((t) => metricsOf(t.traceId)?.[metric]).filter((v): v is number => v !== undefined);
        return { x: report.startedAt, label: report.runId, y: combine(values), n: values.length, traces: bounded(traces) };
      }),
    }],
  });
  const tokens = metricChart('runs-tokens', 'Tokens per run (total)', 'tokens', sumOrNull, 'totalTokens');
  tokens.series[0]!.name = 'Agent';
  // Model judges spend tokens too (recorded in each verdict's cost, not in the agent's trace).
  tokens.series.push({
    name: 'Judges',
    points: reports.map((report) => {
      const verdicts = report.scenarios.flatMap((s) => lastAttemptVerdicts(s));
      const judged = verdicts.filter((v) => v.source === 'LLM_JUDGE');
      const y = verdicts.reduce((sum, v) => sum + v.cost.inputTokens + v.cost.outputTokens, 0);
      return { x: report.startedAt, label: report.runId, y, n: judged.length, traces: bounded(runTraces(report)) };
    }),
  });
  section.charts.push(
    passRate,
    tokens,
    metricChart('runs-latency', 'Latency (median per scenario)', 'ms', median, 'latencyMs'),
    metricChart('runs-tool-failures', 'Tool failures per run', 'count', sumOrNull, 'toolErrors'),
  );
  return section;
}

/** Pass rate per judge per monitoring window (with intervals and alerts), and operational metrics. */
export function productionSection(scores: readonly TraceScores[], config: MonitorConfig, previewOf: (traceId: string) => string | undefined): DashboardSection {
  const section: DashboardSection = { id: 'production', title: 'Production monitoring', charts: [], alerts: [] };
  if (scores.length === 0) {
    return { ...section, empty: 'No scored production traces: `costar monitor import DIR` then `costar monitor report` (see docs/monitoring.md).' };
  }
  const names = config.judges.map(judgeName);
  const current = new Set(names);
  const observations = scores.flatMap((s) =>
    Object.entries(s.verdicts).filter(([judge]) => current.has(judge)).map(([judge, v]) => ({ traceId: s.traceId, time: s.time, judge, outcome: v.outcome })));
  const report: MonitorReport = analyzeMonitor(observations, scores.map((s) => ({ traceId: s.traceId, time: s.time, metrics: s.metrics })), config);
  const windowMs = report.windowMs;
  // Windows are aligned to multiples of their width (as in analyzeMonitor): group once.
  const byWindow = new Map<number, TraceScores[]>();
  for (const s of scores) {
    const start = Math.floor(s.time / windowMs) * windowMs;
    const list = byWindow.get(start);
    if (list) list.push(s);
    else byWindow.set(start, [s]);
  }
  const inside = (start: number) => byWindow.get(start) ?? [];
  const label = (start: number) => new Date(start).toISOString().replace(':00.000Z', 'Z').replace('T00:00Z', '');
  const trace = (s: TraceScores, outcome?: Outcome): PointTrace => ({
    traceId: s.traceId, ...(outcome ? { outcome } : {}), label: clip(previewOf(s.traceId) ?? s.traceId), production: true,
  });
  const alertOf = (start: number, match: (a: MonitorReport['alerts'][number]) => boolean) => report.alerts.find((a) => a.start === start && match(a))?.message;

  section.charts.push({
    id: 'production-pass-rate', title: 'Pass rate per judge per window', unit: 'rate',
    series: names.map((name) => ({
      name,
      points: report.windows.map((w): ChartPoint => {
        const j = w.judges.find((x) => x.judge === name);
        const traces = inside(w.start).filter((s) => s.verdicts[name]).map((s) => trace(s, s.verdicts[name]!.outcome));
        const point = ratePoint(w.start, label(w.start), traces.map((t) => t.outcome!), traces);
        if (j?.interval) Object.assign(point, { low: j.interval.low, high: j.interval.high });
        const alert = alertOf(w.start, (a) => a.kind === 'pass-rate' && a.judge === name);
        return alert ? { ...point, alert } : point;
      }),
    })),
  });
  const metricChart = (id: string, title: string, unit: Chart['unit'], metric: MetricName, combine: (values: number[]) => number | null): Chart => ({
    id, title, unit,
    series: [{
      name: title,
      points: report.windows.map((w): ChartPoint => {
        const values = inside(w.start).map((s) => s.metrics[metric]);
        const traces = bounded(inside(w.start).map((s) => trace(s)));
        const alert = alertOf(w.start, (a) => a.kind === 'metric' && a.metric === metric);
        return { x: w.start, label: label(w.start), y: combine(values), n: values.length, traces, ...(alert ? { alert } : {}) };
      }),
    }],
  });
  section.charts.push(
    metricChart('production-tokens', 'Tokens (median per trace)', 'tokens', 'totalTokens', median),
    metricChart('production-latency', 'Latency (median)', 'ms', 'latencyMs', median),
    metricChart('production-tool-failures', 'Tool failures', 'count', 'toolErrors', sumOrNull),
  );
  section.alerts = report.alerts.map((a) => ({ x: a.start, message: a.message }));
  return section;
}

/** A pass-rate point: passed / (passed + failed); errors and skips are evidence of neither. */
function ratePoint(x: number, label: string, outcomes: readonly Outcome[], traces: PointTrace[]): ChartPoint {
  const passed = outcomes.filter((o) => o === 'passed').length;
  const judged = passed + outcomes.filter((o) => o === 'failed').length;
  return { x, label, y: judged === 0 ? null : passed / judged, n: judged, traces: bounded(traces) };
}

function bounded(traces: PointTrace[]): PointTrace[] {
  return traces
    .map((t, i) => ({ t, i }))
    .sort((a, b) => SEVERITY[a.t.outcome ?? 'passed'] - SEVERITY[b.t.outcome ?? 'passed'] || a.i - b.i)
    .slice(0, TRACES_PER_POINT)
    .map(({ t }) => t);
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function sumOrNull(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0);
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > LABEL_CHARS ? `${flat.slice(0, LABEL_CHARS - 1)}…` : flat;
}
