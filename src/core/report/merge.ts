/**
 * `costar merge`: the reports of the shards of one suite → one report, as if the suite had
 * run on one machine. Shards must not overlap: the same scenario twice means the shards came
 * from different runs or different --shard totals, and silently picking one would hide it.
 */
import { createHash } from 'node:crypto';
import type { RunReport, ScenarioResult, RunSummary } from '../run/protocol';

export class MergeError extends Error {}

export function mergeReports(reports: readonly RunReport[]): RunReport {
  if (reports.length === 0) throw new MergeError('nothing to merge: give at least one report');
  const modes = new Set(reports.map((r) => r.mode));
  if (modes.size > 1) throw new MergeError(`cannot merge a run with a re-score (${reports.map((r) => `${r.runId}: ${r.mode}`).join(', ')})`);
  const byKey = new Map<string, { scenario: ScenarioResult; runId: string }>();
  for (const report of reports) {
    for (const scenario of report.scenarios) {
      const key = `${scenario.file}\u0000${scenario.id}`;
      const previous = byKey.get(key);
      if (previous) {
        throw new MergeError(
          `scenario ${scenario.id} (${scenario.file}) is in both ${previous.runId} and ${report.runId}: shards must not overlap (same --shard total on every worker?)`,
        );
      }
      byKey.set(key, { scenario, runId: report.runId });
    }
  }
  const scenarios = [...byKey.values()].map((e) => e.scenario).sort(compareScenarios);
  const first = reports[0]!;
  const fromRunIds = new Set(reports.map((r) => r.fromRunId));
  return {
    runId: mergedRunId(reports),
    mode: first.mode,
    ...(fromRunIds.size === 1 && first.fromRunId ? { fromRunId: first.fromRunId } : {}),
    workspaceDir: first.workspaceDir,
    startedAt: Math.min(...reports.map((r) => r.startedAt)),
    scenarios,
    // Shards run side by side: the merged run took as long as the slowest shard.
    summary: summarize(scenarios, Math.max(...reports.map((r) => r.summary.durationMs))),
  };
}

/** The shards' common run id (CI can pass the same --run-id to every worker), else a stable id derived from theirs. */
function mergedRunId(reports: readonly RunReport[]): string {
  const ids = [...new Set(reports.map((r) => r.runId))].sort();
  if (ids.length === 1) return ids[0]!;
  return `merged-${createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 12)}`;
}

/** Scenario order of an unsharded run: by file, then by position in the file. */
export function compareScenarios(a: ScenarioResult, b: ScenarioResult): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function summarize(scenarios: readonly ScenarioResult[], durationMs: number): RunSummary {
  const count = (status: ScenarioResult['status']) => scenarios.filter((s) => s.status === status).length;
  return { total: scenarios.length, passed: count('passed'), failed: count('failed'), error: count('error'), skipped: count('skipped'), durationMs };
}
