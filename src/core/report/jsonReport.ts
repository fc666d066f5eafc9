/**
 * The JSON report: the shape issue 2 promises CI scripts (`runId`, `scenarios[]` with
 * `id, file, status, traceId, durationMs, verdicts[{judge, passed, value, rationale, error}]`,
 * `summary`), plus every field of the RunReport so that `costar merge` and `costar diff`
 * can read a JSON report back as a full RunReport.
 */
import type { RunReport, ScenarioResult } from '../run/protocol';
import type { Verdict } from '../judges/types';

export interface JsonVerdict {
  judge: string;
  name: string;
  /** True only for outcome 'passed'; an error or a skip is never a pass. */
  passed: boolean;
  outcome: Verdict['outcome'];
  value: unknown;
  rationale: string;
  error: string | null;
  spanIds: string[];
}

export interface JsonScenario extends ScenarioResult {
  traceId: string | undefined;
  /** Verdicts of the last attempt (the one `traceId` names). */
  verdicts: JsonVerdict[];
}

export interface JsonReport extends RunReport {
  scenarios: JsonScenario[];
}

export function toJsonReport(report: RunReport): JsonReport {
  return { ...report, scenarios: report.scenarios.map(toJsonScenario) };
}

export function lastAttemptVerdicts(scenario: ScenarioResult): Verdict[] {
  return scenario.attempts.at(-1)?.verdicts ?? [];
}

function toJsonScenario(scenario: ScenarioResult): JsonScenario {
  return {
    ...scenario,
    traceId: scenario.traceId,
    verdicts: lastAttemptVerdicts(scenario).map((v) => ({
      judge: v.judge,
      name: v.name,
      passed: v.outcome === 'passed',
      outcome: v.outcome,
      value: v.value,
      rationale: v.rationale,
      error: v.error ?? null,
      spanIds: v.spanIds,
    })),
  };
}

export function renderJson(report: RunReport): string {
  // traceId is kept as null (not dropped) when missing, so consumers see every documented key.
  return JSON.stringify(toJsonReport(report), (key, value) => (key === 'traceId' && value === undefined ? null : value), 2) + '\n';
}
