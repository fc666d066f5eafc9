/**
 * Traces read from an MLflow tracking server, as our Trace (with their assessments).
 *
 * GetTrace answers with the trace info (proto-JSON, assessments included) and the spans in
 * OpenTelemetry's proto form (base64 ids, attributes as AnyValues holding the decoded values).
 * Those spans are rewritten into MLflow's span dict (attribute values JSON-encoded) so that the one
 * MLflow reader, fromMlflowJson, turns them into spans. A trace whose spans live in the artifact
 * store (logged through the REST path, not OTLP) is read from its `traces.json` artifact, which
 * holds MLflow's span dicts already.
 */
import type { Trace } from '../trace/model';
import { fromMlflowJson } from '../trace/mlflow';
import type { MlflowRest } from './rest';

/** Server-side bookkeeping tags that say nothing about the trace itself. */
const SERVER_TAGS = new Set(['mlflow.artifactLocation', 'mlflow.trace.spansLocation']);
const SPANS_LOCATION_TAG = 'mlflow.trace.spansLocation';
const ARTIFACT_LOCATION_TAG = 'mlflow.artifactLocation';
const SEARCH_PAGE_LIMIT = 500;

export type MlflowTraceInfo = Record<string, unknown> & {
  trace_id: string;
  tags?: Record<string, string>;
  assessments?: unknown[];
  trace_location?: { mlflow_experiment?: { experiment_id?: string } };
};

export function mlflowTraceId(traceId: string): string {
  return `tr-${traceId}`;
}

export async function getTraceInfo(rest: MlflowRest, id: string): Promise<MlflowTraceInfo | undefined> {
  const response = await rest.getIfExists<{ trace?: { trace_info?: MlflowTraceInfo } }>(`/api/3.0/mlflow/traces/${encodeURIComponent(id)}`);
  return response?.trace?.trace_info;
}

/** The trace with spans and assessments, or undefined when the server has no such trace. */
export async function getTrace(rest: MlflowRest, id: string): Promise<Trace | undefined> {
  const info = await getTraceInfo(rest, id);
  if (!info) return undefined;
  let spans: unknown[];
  const location = info.tags?.[ARTIFACT_LOCATION_TAG];
  if (info.tags?.[SPANS_LOCATION_TAG] === 'TRACKING_STORE' || !location) {
    const response = await rest.getIfExists<{ trace?: { spans?: unknown[] } }>('/api/3.0/mlflow/traces/get', { trace_id: id });
    spans = (response?.trace?.spans ?? []).map((span, n) => spanDict(span, `${id}: spans[${n}]`));
  } else {
    // Logged the REST way: MLflow's GetTrace does not read the artifact store, its clients do.
    const url = rest.artifactUrl(location, 'traces.json');
    if (!url) throw new Error(`MLflow trace ${id}: its spans are at ${location}, which the server does not serve over HTTP`);
    spans = (await rest.getUrl<{ spans?: unknown[] }>(url)).spans ?? [];
  }
  const tags = Object.fromEntries(Object.entries(info.tags ?? {}).filter(([key]) => !SERVER_TAGS.has(key)));
  try {
    return fromMlflowJson({ info: { ...info, tags }, data: { spans } });
  } catch (error) {
    throw new Error(`MLflow trace ${id}: ${(error as Error).message}`);
  }
}

export interface SearchOptions {
  /** MLflow's search filter, e.g. `tags.env = 'prod'` or `timestamp_ms > 1700000000000`. */
  filter?: string;
  /** At most this many traces (newest first). */
  max?: number;
}

/** The infos of an experiment's traces matching the filter, newest first, page by page. */
export async function* searchTraces(rest: MlflowRest, experimentId: string, options: SearchOptions = {}): AsyncGenerator<MlflowTraceInfo> {
  let pageToken: string | undefined;
  let left = options.max ?? Infinity;
  do {
    const response = await rest.postJson<{ traces?: MlflowTraceInfo[]; next_page_token?: string }>('/api/3.0/mlflow/traces/search', {
      locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } }],
      ...(options.filter ? { filter: options.filter } : {}),
      max_results: Math.min(SEARCH_PAGE_LIMIT, left),
      order_by: ['timestamp_ms DESC'],
      ...(pageToken ? { page_token: pageToken } : {}),
    });
    for (const info of response.traces ?? []) {
      if (left-- <= 0) return;
      yield info;
    }
    pageToken = response.next_page_token || undefined;
  } while (pageToken && left > 0);
}

/** An OpenTelemetry proto span (as GetTrace writes it) as MLflow's span dict. */
function spanDict(value: unknown, where: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Error(`${where}: expected a span object`);
  const status = isRecord(value.status) ? value.status : {};
  return {
    trace_id: value.trace_id,
    span_id: value.span_id,
    parent_span_id: value.parent_span_id ?? '',
    name: value.name,
    start_time_unix_nano: value.start_time_unix_nano,
    end_time_unix_nano: value.end_time_unix_nano,
    status: { code: status.code ?? 'STATUS_CODE_UNSET', message: status.message ?? '' },
    attributes: Object.fromEntries(Object.entries(keyValues(value.attributes)).map(([k, v]) => [k, JSON.stringify(v)])),
    events: (Array.isArray(value.events) ? value.events : []).map((event) => {
      const e = isRecord(event) ? event : {};
      return { name: e.name ?? '', time_unix_nano: e.time_unix_nano ?? 0, attributes: keyValues(e.attributes) };
    }),
  };
}

function keyValues(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of Array.isArray(list) ? list : []) {
    if (isRecord(kv) && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value);
  }
  return out;
}

function anyValue(value: unknown): unknown {
  if (!isRecord(value)) return null;
  if ('string_value' in value) return value.string_value;
  if ('bool_value' in value) return value.bool_value;
  if ('int_value' in value) {
    const n = Number(value.int_value);
    return Number.isSafeInteger(n) ? n : String(value.int_value);
  }
  if ('double_value' in value) return Number(value.double_value);
  if ('array_value' in value) return (isRecord(value.array_value) && Array.isArray(value.array_value.values) ? value.array_value.values : []).map(anyValue);
  if ('kvlist_value' in value) return keyValues(isRecord(value.kvlist_value) ? value.kvlist_value.values : []);
  if ('bytes_value' in value) return value.bytes_value;
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
