/**
 * MLflow assessments (`mlflow.entities.Assessment`, proto-JSON with snake_case keys, as the
 * tracking server's REST API and `Trace.to_dict()` write them) to and from our Assessment.
 *
 *   {assessment_id, assessment_name, trace_id, span_id, source: {source_type, source_id},
 *    create_time, last_update_time, rationale, metadata,
 *    feedback: {value, error: {error_code, error_message}} | expectation: {value} | {serialized_value}}
 */
import type { Assessment, AssessmentSourceType } from './model';

const SOURCE_TYPES: ReadonlySet<string> = new Set<AssessmentSourceType>(['HUMAN', 'LLM_JUDGE', 'CODE', 'SOURCE_TYPE_UNSPECIFIED']);

export function toMlflowAssessment(a: Assessment, mlflowTraceId: string): Record<string, unknown> {
  const body =
    a.kind === 'expectation'
      ? { expectation: isPrimitive(a.value) ? { value: a.value } : { serialized_value: { serialization_format: 'JSON_FORMAT', value: JSON.stringify(a.value ?? null) } } }
      : { feedback: { ...(a.value !== undefined ? { value: a.value } : {}), ...(a.error ? { error: { error_code: a.error.code, error_message: a.error.message } } : {}) } };
  return {
    ...(a.id ? { assessment_id: a.id } : {}),
    assessment_name: a.name,
    trace_id: mlflowTraceId,
    ...(a.spanId ? { span_id: a.spanId } : {}),
    source: { source_type: a.source.type, source_id: a.source.id },
    create_time: a.createTime,
    last_update_time: a.createTime,
    ...body,
    ...(a.rationale ? { rationale: a.rationale } : {}),
    metadata: { ...a.metadata },
  };
}

/** One assessment of MLflow's JSON; `where` names it in errors. Issue references are not assessments of ours: undefined. */
export function fromMlflowAssessment(value: unknown, where: string): Assessment | undefined {
  if (!isRecord(value)) throw new Error(`${where}: expected an assessment object`);
  const name = value.assessment_name ?? value.name;
  if (typeof name !== 'string' || name === '') throw new Error(`${where}.assessment_name: expected a string`);
  const source = isRecord(value.source) ? value.source : {};
  const sourceType = typeof source.source_type === 'string' && SOURCE_TYPES.has(source.source_type) ? (source.source_type as AssessmentSourceType) : 'SOURCE_TYPE_UNSPECIFIED';
  const out: Assessment = {
    name,
    kind: 'feedback',
    source: { type: sourceType, id: typeof source.source_id === 'string' ? source.source_id : '' },
    metadata: stringRecord(value.metadata),
    createTime: timeOf(value.create_time, `${where}.create_time`),
  };
  if (typeof value.assessment_id === 'string') out.id = value.assessment_id;
  if (typeof value.span_id === 'string' && value.span_id !== '') out.spanId = value.span_id;
  if (typeof value.rationale === 'string' && value.rationale !== '') out.rationale = value.rationale;
  if (isRecord(value.feedback)) {
    if ('value' in value.feedback) out.value = value.feedback.value;
    const error = value.feedback.error;
    if (isRecord(error)) out.error = { code: String(error.error_code ?? ''), message: String(error.error_message ?? '') };
  } else if (isRecord(value.expectation)) {
    out.kind = 'expectation';
    const serialized = value.expectation.serialized_value;
    out.value = isRecord(serialized) && typeof serialized.value === 'string' ? JSON.parse(serialized.value) : value.expectation.value;
  } else {
    return undefined;
  }
  return out;
}

function timeOf(value: unknown, where: string): string {
  // Timestamps arrive as RFC 3339 text (proto-JSON) or, from Python's to_dict, milliseconds.
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new Error(`${where}: expected an RFC 3339 time, got ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

function isPrimitive(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function stringRecord(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
