/**
 * Brings the scores of every production trace up to date with the monitoring config, then
 * returns them as observations for analyzeMonitor. Judges run only on the traces their
 * sampling rate and filter select; results are stored, so each (trace, judge) pair is
 * scored once — except verdicts that were `skipped` or `error` (no model configured yet, model
 * unreachable, a crash): those are tried again by the next report.
 */
import { computeTraceMetrics } from '../judges/metrics';
import type { Trace } from '../trace/model';
import type { TraceStore } from '../trace/store';
import { judgeName, type MonitorConfig } from './config';
import { judgeSees } from './sampling';
import { PRODUCTION_META } from './importProduction';
import { judgeFingerprint, type ScoreStore, type TraceScores } from './scoreStore';
import type { Scorer } from './scorer';
import type { MetricObservation, Observation } from './analyze';
import type { SkippedFile } from '../util/files';

export interface ScoringResult {
  observations: Observation[];
  metricObservations: MetricObservation[];
  /** Traces whose scores were (re)computed in this call. */
  scoredTraces: number;
  /** Damaged trace files that were left out. */
  skipped: SkippedFile[];
}

export async function scoreProduction(traces: TraceStore, scores: ScoreStore, config: MonitorConfig, scorer: Scorer): Promise<ScoringResult> {
  const result: ScoringResult = { observations: [], metricObservations: [], scoredTraces: 0, skipped: [] };
  const infos = (await traces.list(result.skipped)).filter((info) => info.metadata[PRODUCTION_META] === 'true');
  for (const info of infos) {
    const stored = await scores.get(info.traceId);
    let trace: Trace | undefined;
    const load = async () => (trace ??= await traces.getOrSkip(info.traceId, result.skipped));
    if (!stored && !(await load())) continue; // damaged: skipped (and reported) rather than scored
    const record: TraceScores = stored ?? { traceId: info.traceId, time: info.requestTime, metrics: computeTraceMetrics((await load())!), verdicts: {} };
    let changed = stored === undefined;
    for (const judge of config.judges) {
      const name = judgeName(judge);
      const fingerprint = judgeFingerprint(judge, scorer.judgeVersion?.(judge));
      const previous = record.verdicts[name];
      if (previous?.fingerprint === fingerprint && previous.outcome !== 'skipped' && previous.outcome !== 'error') continue;
      const full = await load();
      if (!full || !judgeSees(judge, full)) {
        // Not selected (or no longer): drop a stale verdict of an older config.
        if (previous) {
          delete record.verdicts[name];
          changed = true;
        }
        continue;
      }
      const verdict = await scorer(full, judge);
      record.verdicts[name] = { fingerprint, outcome: verdict.outcome, rationale: verdict.rationale, ...(verdict.error ? { error: verdict.error } : {}) };
      changed = true;
    }
    if (changed) {
      await scores.put(record);
      result.scoredTraces++;
    }
    result.metricObservations.push({ traceId: record.traceId, time: record.time, metrics: record.metrics });
    const current = new Set(config.judges.map(judgeName));
    for (const [judge, verdict] of Object.entries(record.verdicts)) {
      if (current.has(judge)) result.observations.push({ traceId: record.traceId, time: record.time, judge, outcome: verdict.outcome });
    }
  }
  return result;
}
