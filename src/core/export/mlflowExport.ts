/**
 * `costar export --mlflow URL --experiment ID|NAME`: the traces of a run, their verdicts and the
 * golden-set labels given for them, into an MLflow experiment.
 *
 * Spans go through MLflow's OTLP ingest (`POST /v1/traces`, `x-mlflow-experiment-id`) when the
 * server has it: it stores every span with its attributes in the tracking store, and MLflow derives
 * the span types, previews, state and token usage from the reserved attributes. A server without
 * it (404/405/501) gets the REST path: StartTraceV3 plus the spans as the trace's `traces.json`
 * artifact. Either way, tags (scenario, run, attempt, judge versions, coSTAR trace id) are set
 * with SetTraceTag and each verdict or label becomes one assessment (CreateAssessment).
 *
 * Idempotent: a trace keeps its OpenTelemetry id (`tr-<hex>`, as MLflow names OTel traces), so
 * the export asks for it first and sends spans only for traces the server does not have; each
 * assessment carries a `costar.key` in its metadata and is created only when the trace has no
 * assessment with that key yet.
 */
import type { RunReport } from '../run/protocol';
import type { Verdict } from '../judges/types';
import type { Assessment, Trace } from '../trace/model';
import { META } from '../trace/model';
import { toMlflowJson } from '../trace/mlflow';
import { toOtlpJson } from '../trace/otlp';
import { toMlflowAssessment } from '../trace/assessments';
import type { GoldenLabel } from '../golden/label';
import { labelKey } from '../golden/label';
import { MlflowRequestError, type MlflowRest } from '../mlflow/rest';
import { getTraceInfo, mlflowTraceId, type MlflowTraceInfo } from '../mlflow/traces';

export type Transport = 'auto' | 'otlp' | 'rest';
export type UsedTransport = 'otlp' | 'rest';

const ARTIFACT_LOCATION_TAG = 'mlflow.artifactLocation';
const KEY_META = 'costar.key';
const TAG = {
  traceId: 'costar.trace_id',
  runId: META.runId,
  scenarioId: META.scenarioId,
  attempt: META.attempt,
  judgeVersionPrefix: 'costar.judge_version.',
} as const;

export interface ExportedTrace {
  traceId: string;
  mlflowTraceId: string;
  /** False when the server had the trace already (its spans were not sent again). */
  created: boolean;
  spans: number;
  /** Assessments created by this export (verdicts and labels not yet in MLflow). */
  assessments: number;
}

export interface ExportResult {
  /** How spans were sent; undefined when every trace was in MLflow already. */
  transport?: UsedTransport;
  traces: ExportedTrace[];
  /** Things not exported and why (missing trace, a trace that belongs to another experiment…). */
  warnings: string[];
}

export interface ExportOptions {
  experimentId: string;
  transport: Transport;
  /** Golden-set labels; those of exported traces go along as HUMAN feedback. */
  labels?: readonly GoldenLabel[];
}

export async function exportRunToMlflow(report: RunReport, loadTrace: (traceId: string) => Promise<Trace | undefined>, rest: MlflowRest, options: ExportOptions): Promise<ExportResult> {
  const result: ExportResult = { traces: [], warnings: [] };
  const state = { transport: options.transport };
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
      const tags: Record<string, string> = {
        [TAG.traceId]: trace.info.traceId,
        [TAG.runId]: report.runId,
        [TAG.scenarioId]: scenario.id,
        [TAG.attempt]: String(attempt.attempt),
      };
      for (const v of attempt.verdicts) tags[`${TAG.judgeVersionPrefix}${v.judge}`] = v.judgeVersion;
      const assessments = [
        ...attempt.verdicts.filter((v) => v.outcome !== 'skipped').map((v) => verdictAssessment(v, report.runId)),
        ...(options.labels ?? []).filter((l) => l.traceRef.traceId === trace.info.traceId).map(labelAssessment),
      ];
      const exported = await exportTrace(trace, tags, assessments, rest, options.experimentId, state, result);
      if (exported) result.traces.push(exported);
    }
  }
  return result;
}

async function exportTrace(
  trace: Trace,
  tags: Record<string, string>,
  assessments: Assessment[],
  rest: MlflowRest,
  experimentId: string,
  state: { transport: Transport },
  result: ExportResult,
): Promise<ExportedTrace | undefined> {
  const id = mlflowTraceId(trace.info.traceId);
  let info = await getTraceInfo(rest, id);
  const created = info === undefined;
  if (info) {
    const owner = info.trace_location?.mlflow_experiment?.experiment_id;
    if (owner !== undefined && owner !== experimentId) {
      result.warnings.push(`${id}: already in MLflow experiment ${owner}, not in ${experimentId}; skipped (MLflow trace ids are unique per server)`);
      return undefined;
    }
  } else {
    result.transport = await sendSpans(trace, rest, experimentId, state);
    info = await getTraceInfo(rest, id);
    if (!info) throw new Error(`${id}: MLflow accepted the trace but does not list it`);
  }
  // The OTLP path cannot set trace metadata: what coSTAR recorded there goes along as tags.
  const allTags = { ...(result.transport === 'otlp' && created ? { ...trace.info.metadata, ...trace.info.tags } : {}), ...tags };
  for (const [key, value] of Object.entries(allTags)) {
    if (info.tags?.[key] === value) continue;
    await rest.patchJson(`/api/2.0/mlflow/traces/${encodeURIComponent(id)}/tags`, { key, value });
  }
  const have = new Set((info.assessments ?? []).map((a) => (isRecord(a) && isRecord(a.metadata) ? a.metadata[KEY_META] : undefined)));
  let added = 0;
  for (const assessment of assessments) {
    if (have.has(assessment.metadata[KEY_META])) continue;
    await rest.postJson(`/api/3.0/mlflow/traces/${encodeURIComponent(id)}/assessments`, { assessment: toMlflowAssessment(assessment, id) });
    added++;
  }
  return { traceId: trace.info.traceId, mlflowTraceId: id, created, spans: trace.spans.length, assessments: added };
}

/** Sends the spans by the transport in use; `auto` settles on the first answer and stays with it. */
async function sendSpans(trace: Trace, rest: MlflowRest, experimentId: string, state: { transport: Transport }): Promise<UsedTransport> {
  if (state.transport !== 'rest') {
    try {
      await rest.postJson('/v1/traces', toOtlpJson([trace], { forMlflowIngest: true }), { 'x-mlflow-experiment-id': experimentId });
      state.transport = 'otlp';
      return 'otlp';
    } catch (error) {
      const noOtlp = error instanceof MlflowRequestError && [404, 405, 501].includes(error.status);
      if (state.transport === 'otlp' || !noOtlp) throw error;
      state.transport = 'rest';
    }
  }
  await sendByRest(trace, rest, experimentId);
  return 'rest';
}

interface MlflowTraceJson {
  info: Record<string, unknown> & { trace_id: string; trace_metadata: Record<string, string>; execution_duration_ms: number };
  data: { spans: unknown[] };
}

async function sendByRest(trace: Trace, rest: MlflowRest, experimentId: string): Promise<void> {
  const json = toMlflowJson(trace) as MlflowTraceJson;
  // StartTraceV3 takes no assessments (they are created one by one) and a Duration, not ms.
  const { execution_duration_ms: durationMs, assessments: _assessments, ...info } = json.info;
  const traceInfo = {
    ...info,
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
    execution_duration: `${durationMs / 1000}s`,
  };
  const started = await rest.postJson<{ trace?: { trace_info?: MlflowTraceInfo } }>('/api/3.0/mlflow/traces', { trace: { trace_info: traceInfo } });
  const location = started.trace?.trace_info?.tags?.[ARTIFACT_LOCATION_TAG];
  const url = location ? rest.artifactUrl(location, 'traces.json') : undefined;
  if (!url) {
    throw new Error(`${json.info.trace_id}: the server's artifact location ${location ?? '(none)'} is not served over HTTP, so the spans cannot be uploaded (start mlflow server with --serve-artifacts)`);
  }
  await rest.putJson(url, json.data);
}

/** A verdict as MLflow feedback; an error verdict carries an assessment error, never a value. */
function verdictAssessment(verdict: Verdict, runId: string): Assessment {
  const a: Assessment = {
    name: verdict.name || verdict.judge,
    kind: 'feedback',
    source: verdict.source === 'LLM_JUDGE' ? { type: 'LLM_JUDGE', id: verdict.model ?? verdict.judge } : { type: verdict.source, id: verdict.judge },
    metadata: {
      [KEY_META]: `verdict:${runId}:${verdict.expectationIndex}:${verdict.judge}@${verdict.judgeVersion}`,
      'costar.judge': verdict.judge,
      'costar.judge_version': verdict.judgeVersion,
      'costar.outcome': verdict.outcome,
      'costar.expectation_index': String(verdict.expectationIndex),
      'costar.run_id': runId,
      ...(verdict.spanIds.length > 1 ? { 'costar.span_ids': verdict.spanIds.join(',') } : {}),
    },
    createTime: new Date(verdict.createdAt).toISOString(),
  };
  if (verdict.outcome === 'error') a.error = { code: 'COSTAR_JUDGE_ERROR', message: verdict.error ?? verdict.rationale };
  else a.value = feedbackValue(verdict);
  if (verdict.rationale) a.rationale = verdict.rationale;
  if (verdict.spanIds[0]) a.spanId = verdict.spanIds[0];
  return a;
}

/** A golden-set label as HUMAN feedback under the judge's name, so MLflow shows it beside the judge's own. */
function labelAssessment(label: GoldenLabel): Assessment {
  return {
    name: label.judgeId,
    kind: 'feedback',
    source: { type: 'HUMAN', id: label.labeller },
    value: label.value,
    ...(label.rationale ? { rationale: label.rationale } : {}),
    metadata: { [KEY_META]: `label:${labelKey(label)}`, 'costar.judge': label.judgeId, 'costar.judge_version': label.judgeVersion },
    createTime: new Date(label.time).toISOString(),
  };
}

/** MLflow feedback values are primitives, lists or maps; anything else becomes pass/fail. */
function feedbackValue(verdict: Verdict): unknown {
  const v = verdict.value;
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string' || (typeof v === 'object' && v !== null)) return v;
  return verdict.outcome === 'passed';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
