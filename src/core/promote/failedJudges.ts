/**
 * Which judges failed on a stored trace, with the arguments they ran with, so a promoted
 * scenario expects exactly what went wrong. Two places know: monitoring scores (production
 * traces; arguments from costar.monitor.yaml) and run reports (test traces; arguments from
 * the scenario expectation the verdict belongs to).
 */
import type { LoadedScenario } from '../scenario/load';
import { loadMonitorConfig, judgeName } from '../monitor/config';
import { ScoreStore } from '../monitor/scoreStore';
import { newestAttemptOfTrace } from '../run/runStore';
import type { FailedJudge } from './draftScenario';

export interface FailedJudgesOfTrace {
  failed: FailedJudge[];
  /** The agent of the scenario that produced the trace, when it came from a test run. */
  agent?: string;
}

export async function failedJudgesOfTrace(workspaceDir: string, traceId: string, scenarios: readonly LoadedScenario[] = []): Promise<FailedJudgesOfTrace> {
  const failed: FailedJudge[] = [];
  const scores = await new ScoreStore(workspaceDir).get(traceId);
  if (scores) {
    const judges = (await loadMonitorConfig(workspaceDir)).judges;
    for (const [name, verdict] of Object.entries(scores.verdicts)) {
      if (verdict.outcome !== 'failed') continue;
      const judge = judges.find((j) => judgeName(j) === name);
      // A judge removed from the config since: its name is all we know; names default to ids.
      failed.push({ judge: judge?.judge ?? name, name, rationale: verdict.rationale, ...(judge ? { with: judge.with } : {}) });
    }
  }
  const fromRun = await fromRunReports(workspaceDir, traceId, scenarios);
  failed.push(...fromRun.failed);
  return { failed, ...(fromRun.agent ? { agent: fromRun.agent } : {}) };
}

async function fromRunReports(workspaceDir: string, traceId: string, scenarios: readonly LoadedScenario[]): Promise<FailedJudgesOfTrace> {
  const found = await newestAttemptOfTrace(workspaceDir, traceId);
  if (!found) return { failed: [] };
  const scenario = scenarios.find((s) => s.def.id === found.scenario.id);
  const failed = found.attempt.verdicts
    .filter((v) => v.outcome === 'failed')
    .map((v): FailedJudge => {
      const expectation = scenario?.def.expectations[v.expectationIndex];
      return { judge: v.judge, name: v.name, rationale: v.rationale, ...(expectation?.judge === v.judge ? { with: expectation.with } : {}) };
    });
  return { failed, ...(scenario?.agentName ? { agent: scenario.agentName } : {}) };
}
