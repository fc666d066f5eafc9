/**
 * What a judge said about traces, read from stored run reports (runs and re-scores alike):
 * for each trace, the verdict of the newest report that judged it. Only verdicts with a value
 * count — an 'error' or 'skipped' verdict is not an opinion to agree or disagree with.
 */
import { listRunIds, loadReportOrSkip } from '../run/runStore';
import type { RatedValue } from './kappa';
import type { SkippedFile } from '../util/files';

export interface JudgeOpinion {
  traceId: string;
  value: RatedValue;
  rationale: string;
  judgeVersion: string;
  /** Where it came from: a run id, or 'evaluated' when judged just now. */
  source: string;
}

export async function latestVerdicts(workspaceDir: string, judgeId: string, traceIds: ReadonlySet<string>, skipped: SkippedFile[] = []): Promise<Map<string, JudgeOpinion>> {
  const found = new Map<string, JudgeOpinion>();
  const runIds = (await listRunIds(workspaceDir)).reverse();
  for (const runId of runIds) {
    if (found.size === traceIds.size) break;
    const report = await loadReportOrSkip(workspaceDir, runId, skipped);
    if (!report) continue;
    for (const scenario of report.scenarios) {
      for (const attempt of scenario.attempts) {
        if (!attempt.traceId || !traceIds.has(attempt.traceId) || found.has(attempt.traceId)) continue;
        const verdict = attempt.verdicts.find((v) => v.judge === judgeId && (v.outcome === 'passed' || v.outcome === 'failed') && isRated(v.value));
        if (verdict) {
          found.set(attempt.traceId, { traceId: attempt.traceId, value: verdict.value as RatedValue, rationale: verdict.rationale, judgeVersion: verdict.judgeVersion, source: runId });
        }
      }
    }
  }
  return found;
}

export function isRated(value: unknown): value is RatedValue {
  return typeof value === 'boolean' || typeof value === 'number' || (typeof value === 'string' && value !== '');
}
