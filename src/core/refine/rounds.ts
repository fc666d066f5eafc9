/**
 * Another round of refinement: after the developer decided every hunk (and the scenarios
 * ran again), the next round starts from the newest results — the re-run when there was
 * one, else the run the previous round refined — and tells the assistant what was rejected.
 */
import { loadWorkspace } from '../scenario/load';
import { feedbackFromRecord } from './feedback';
import type { RefinementRecord } from './history';

export interface NextRound {
  /** The run whose failures the next round fixes. */
  runId: string;
  /** Scenarios to fix; absent: every failing scenario of the agent in that run. */
  scenarioIds?: string[];
  feedback: string;
  previousRefinementId: string;
  round: number;
}

export function nextRoundOf(record: RefinementRecord): NextRound {
  const verification = record.verification;
  const feedback = feedbackFromRecord(record);
  return {
    // After a re-run, whatever of the agent is red there (still or newly failing) is the next target.
    runId: verification ? (verification.suiteRunId ?? verification.targetedRunId) : record.fromRunId,
    ...(verification ? {} : { scenarioIds: [...record.scenarioIds] }),
    feedback: feedback.text,
    previousRefinementId: record.id,
    round: (record.round ?? 1) + 1,
  };
}

/**
 * The scenarios of the refined agent that are red after the refinement's re-run (still or
 * newly failing); empty when it was not re-run or the agent is green. Another agent's red
 * scenarios don't count: this agent's refinement cannot fix them.
 */
export async function redScenariosOfAgent(workspaceDir: string, record: RefinementRecord): Promise<string[]> {
  const verification = record.verification;
  if (!verification) return [];
  const red = [...verification.stillFailing, ...verification.newlyFailing].map((s) => s.id);
  if (red.length === 0) return [];
  const workspace = await loadWorkspace(workspaceDir);
  const agentOf = new Map(workspace.scenarios.map((s) => [s.def.id, s.agentName]));
  return red.filter((id) => agentOf.get(id) === record.agent);
}
