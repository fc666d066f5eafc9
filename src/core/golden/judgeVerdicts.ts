/**
 * What a judge said about traces, read from stored run reports (runs and re-scores alike):
 * for each trace, the verdict of the newest report that judged it. Only verdicts with a value
 * count — an 'error' or 'skipped' verdict is not an opinion to agree or disagree with.
 */
import { listRunIds, loadReportOrSkip } from '../run/runStore';
import type { ValueType } from '../judges/judgeFile';
import type { Verdict } from '../judges/types';
import type { SkippedFile } from '../util/files';
import type { RatedValue } from './kappa';
import { valueProblem } from './values';

export interface JudgeOpinion {
  traceId: string;
  value: RatedValue;
  rationale: string;
  judgeVersion: string;
  /** Where it came from: a run id, or 'evaluated' when judged just now. */
  source: string;
}

/**
 * `valueType` is the judge's declared value type (undefined for a built-in check): a verdict
 * counts as an opinion only in the terms a human labels it in.
 */
export async function latestVerdicts(
  workspaceDir: string,
  judgeId: string,
  traceIds: ReadonlySet<string>,
  valueType: ValueType | undefined,
  skipped: SkippedFile[] = [],
): Promise<Map<string, JudgeOpinion>> {
  const found = new Map<string, JudgeOpinion>();
  const runIds = (await listRunIds(workspaceDir)).reverse();
  for (const runId of runIds) {
    if (found.size === traceIds.size) break;
    const report = await loadReportOrSkip(workspaceDir, runId, skipped);
    if (!report) continue;
    for (const scenario of report.scenarios) {
      for (const attempt of scenario.attempts) {
        if (!attempt.traceId || !traceIds.has(attempt.traceId) || found.has(attempt.traceId)) continue;
        const verdict = attempt.verdicts.find((v) => v.judge === judgeId && opinionValue(v, valueType) !== undefined);
        if (verdict) {
          found.set(attempt.traceId, { traceId: attempt.traceId, value: opinionValue(verdict, valueType)!, rationale: verdict.rationale, judgeVersion: verdict.judgeVersion, source: runId });
        }
      }
    }
  }
  return found;
}

export function isRated(value: unknown): value is RatedValue {
  return typeof value === 'boolean' || typeof value === 'number' || (typeof value === 'string' && value !== '');
}

/**
 * The judge's opinion in the label's terms. A value that fits the judge's value type is the
 * opinion; otherwise (a module check's incidental number, say 757333.33 for a bool judge) a
 * bool or yes/no judge's opinion is its pass/fail, and a number or categorical judge has none.
 * Errors and skips are no opinion.
 */
export function opinionValue(verdict: Pick<Verdict, 'outcome' | 'value'>, valueType: ValueType | undefined): RatedValue | undefined {
  if (verdict.outcome !== 'passed' && verdict.outcome !== 'failed') return undefined;
  const passed = verdict.outcome === 'passed';
  if (valueType === undefined) return passed;
  if (isRated(verdict.value) && valueProblem(valueType, verdict.value) === undefined) return verdict.value;
  if (valueType === 'bool') return passed;
  if (valueType === 'yes/no') return passed ? 'yes' : 'no';
  return undefined;
}
