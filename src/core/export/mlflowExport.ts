/**
 * `costar export --mlflow URL --experiment ID`: the traces of a run and their verdicts, as
 * MLflow traces and assessments (feedback) in an experiment, so a team shares them in the
 * MLflow UI. Each attempt's trace keeps its OpenTelemetry id (`tr-<hex>`, as MLflow 3 names
 * OTel traces); each verdict becomes one assessment citing the first span it names.
 */
import type { RunReport } from '../run/protocol';
import type { Verdict } from '../judges/types';
import type { Trace } from '../trace/model';
import { META } from '../trace/model';
import { toMlflowJson } from '../trace/mlflow';
import { MlflowRequestError, type MlflowRest } from './mlflowRest';

const ARTIFACT_LOCATION_TAG = 'mlflow.artifactLocation';

export interface ExportedTrace {
  traceId: string;
  mlflowTraceId: string;
  spansUploaded: boolean;
  assessments: number;
}

export interface ExportResult {
  traces: ExportedTrace[];
  /** Things not exported and why (missing trace, artifact store not reachable over HTTP…). */
  warnings: string[];
}

interface MlflowTraceJson {
  info: Record<string, unknown> & { trace_id: string; trace_metadata: Record<string, string>; tags: Record<string, string>; execution_duration_ms: number };
  data: { spans: unknown[] };
}

export async function exportRunToMlflow(
  report: RunReport,
  loadTrace: (traceId: string) => Promise<Trace | undefined>,
  rest: MlflowRest,
  experimentId: string,
): Promise<ExportResult> {
  const result: ExportResult = { traces: [], warnings: [] };
  for (const scenario of report.scenarios) {
    for (const attempt of scenario.attempts) {
      if (!attempt.traceId) {
        result.warnings.push(`${scenario.id} attempt ${attempt.attempt}: no trace recorded`);
        continue;
      }
      const trace = await loadTrace(attempt.traceId);
      if (!trace) {
        result.warnings.push(`${scenario.id} attempt ${attempt.attempt}: trace ${attempt.traceId} is not in the store`);
        continue;
      }
      const exported = await exportTrace(trace, attempt.verdicts, rest, experimentId, { [META.runId]: report.runId, [META.scenarioId]: scenario.id, [META.attempt]: String(attempt.attempt) }, result.warnings);
      if (exported) result.traces.push(exported);
    }
  }
  return result;
}

async function exportTrace(
  trace: Trace,
  verdicts: Verdict[],
  rest: MlflowRest,
  experimentId: string,
  metadata: Record<string, string>,
  warnings: string[],
): Promise<ExportedTrace | undefined> {
  const json = toMlflowJson(trace) as MlflowTraceJson;
  // StartTraceV3 takes no assessments (they are created one by one) and a Duration, not ms.
  const { execution_duration_ms: durationMs, assessments: _assessments, ...info } = json.info;
  const traceInfo = {
    ...info,
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
    execution_duration: `${durationMs / 1000}s`,
    trace_metadata: { ...json.info.trace_metadata, ...metadata },
  };
  const mlflowTraceId = traceInfo.trace_id;
  let created: { trace?: { trace_info?: { trace_id?: string; tags?: Record<string, string> } } };
  try {
    created = await rest.postJson('/api/3.0/mlflow/traces', { trace: { trace_info: traceInfo } });
  } catch (error) {
    if (error instanceof MlflowRequestError && error.errorCode === 'RESOURCE_ALREADY_EXISTS') {
      warnings.push(`${mlflowTraceId}: already in MLflow, skipped`);
      return undefined;
    }
    throw error;
  }
  const createdId = created.trace?.trace_info?.trace_id ?? mlflowTraceId;
  const location = created.trace?.trace_info?.tags?.[ARTIFACT_LOCATION_TAG];
  const url = location ? rest.artifactUrl(location, 'traces.json') : undefined;
  if (url) await rest.putJson(url, json.data);
  else warnings.push(`${createdId}: spans not uploaded: the server gave ${location ? `artifact location ${location}, which is not served over HTTP (start mlflow server with --serve-artifacts)` : 'no artifact location'}`);

  let assessments = 0;
  for (const verdict of verdicts) {
    if (verdict.outcome === 'skipped') continue; // nothing was assessed
    await rest.postJson(`/api/3.0/mlflow/traces/${encodeURIComponent(createdId)}/assessments`, { assessment: toAssessment(createdId, verdict) });
    assessments++;
  }
  return { traceId: trace.info.traceId, mlflowTraceId: createdId, spansUploaded: url !== undefined, assessments };
}

/** A verdict as MLflow feedback; an error verdict carries an assessment error, never a value. */
export function toAssessment(mlflowTraceId: string, verdict: Verdict): object {
  const time = new Date(verdict.createdAt).toISOString();
  const feedback =
    verdict.outcome === 'error'
      ? { error: { error_code: 'COSTAR_JUDGE_ERROR', error_message: verdict.error ?? verdict.rationale } }
      : { value: feedbackValue(verdict) };
  return {
    assessment_name: verdict.name || verdict.judge,
    trace_id: mlflowTraceId,
    ...(verdict.spanIds[0] ? { span_id: verdict.spanIds[0] } : {}),
    source: { source_type: verdict.source, source_id: `costar:${verdict.judge}@${verdict.judgeVersion}` },
    create_time: time,
    last_update_time: time,
    feedback,
    ...(verdict.rationale ? { rationale: verdict.rationale } : {}),
    metadata: {
      'costar.judge': verdict.judge,
      'costar.outcome': verdict.outcome,
      'costar.expectation_index': String(verdict.expectationIndex),
      ...(verdict.spanIds.length > 1 ? { 'costar.span_ids': verdict.spanIds.join(',') } : {}),
    },
  };
}

/** MLflow feedback values are primitives, lists or maps; anything else becomes pass/fail. */
function feedbackValue(verdict: Verdict): unknown {
  const v = verdict.value;
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string' || (typeof v === 'object' && v !== null)) return v;
  return verdict.outcome === 'passed';
}
