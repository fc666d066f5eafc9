/** Builders of run reports for the reporter, merge and diff tests. */
import type { AttemptResult, RunReport, ScenarioResult } from '../../src/core/run/protocol';
import type { Outcome, Verdict } from '../../src/core/judges/types';

export function verdict(judge: string, outcome: Outcome, rationale = `${judge} ${outcome}`, extra: Partial<Verdict> = {}): Verdict {
  return {
    judge,
    name: judge,
    expectationIndex: 0,
    outcome,
    value: outcome === 'passed' ? true : outcome === 'failed' ? false : null,
    rationale,
    source: 'CODE',
    spanIds: [],
    judgeVersion: '1',
    cost: { inputTokens: 0, outputTokens: 0, modelCalls: 0, ms: 1 },
    createdAt: 1_700_000_000_000,
    ...(outcome === 'error' ? { error: `${judge} could not finish` } : {}),
    ...extra,
  };
}

export function scenario(id: string, status: Outcome, verdicts: Verdict[], extra: Partial<ScenarioResult> = {}): ScenarioResult {
  const traceId = (id.split('').reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7).toString(16) + '0'.repeat(32)).slice(0, 32);
  const attempt: AttemptResult = { attempt: 1, status, traceId, durationMs: 1500, verdicts };
  return { id, file: 'scenarios/main.scenario.yaml', line: 2, status, traceId, durationMs: 1500, attempts: [attempt], ...extra };
}

export function report(runId: string, scenarios: ScenarioResult[], extra: Partial<RunReport> = {}): RunReport {
  const n = (s: Outcome) => scenarios.filter((x) => x.status === s).length;
  return {
    runId,
    mode: 'run',
    workspaceDir: '/repo/ws',
    startedAt: 1_700_000_000_000,
    scenarios,
    summary: { total: scenarios.length, passed: n('passed'), failed: n('failed'), error: n('error'), skipped: n('skipped'), durationMs: 4000 },
    ...extra,
  };
}

/** One scenario of each outcome, in two files, with text that needs escaping. */
export function mixedReport(): RunReport {
  return report('run-1', [
    scenario('clean-csv', 'passed', [verdict('file-exists', 'passed')]),
    scenario('skewed-income', 'failed', [verdict('file-exists', 'passed'), verdict('no-leakage', 'failed', 'uses <target> & "label"\nin features: 50%, ok')], { line: 9 }),
    scenario('slow-agent', 'error', [], { file: 'scenarios/other.scenario.yaml', line: 4, error: 'timeout after 30s: process tree killed' }),
    scenario('needs-model', 'skipped', [verdict('helpfulness', 'skipped', '', { error: 'no model configured: set model.baseUrl in costar.yaml' })], {
      file: 'scenarios/other.scenario.yaml',
      line: 12,
    }),
  ]);
}
