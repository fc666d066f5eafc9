/**
 * MLflow trace JSON (`Trace.to_dict()` / `Trace.from_dict()` of MLflow 3) to and from our Trace.
 *
 * Written shape (MLflow 3 / trace schema 3):
 *   info: trace_id "tr-<hex>", trace_location, request_time (RFC 3339), execution_duration_ms,
 *         state, request_preview, response_preview, trace_metadata, tags, assessments
 *   data.spans[]: trace_id / span_id / parent_span_id as base64 of the raw bytes ("" for a root),
 *         name, start_time_unix_nano / end_time_unix_nano, events[{name, time_unix_nano,
 *         attributes}], status {code: "STATUS_CODE_OK"|…, message}, attributes whose values are
 *         JSON-encoded strings; `mlflow.traceRequestId`, `mlflow.spanType`, `mlflow.spanInputs`,
 *         `mlflow.spanOutputs` and `mlflow.chat.tokenUsage` carry the derived fields.
 *   costar: { version, artifacts } — coSTAR's own data (the files the agent created or changed).
 *         MLflow reads only `info` and `data`, so this extra top-level key travels harmlessly.
 *
 * Nanosecond times are written as decimal strings: JSON numbers cannot hold them exactly in
 * JavaScript, and MLflow's reader converts them with int(), which accepts strings.
 *
 * Read shapes: the above; span dict v4 of newer MLflow (hex `span_id`, `otel_trace_id`, trace_id
 * "tr-…"); the MLflow 2 span shape (`context.span_id` "0x…", `parent_id`, `start_time`,
 * `status_code`); and MLflow 2 info (`request_id`, `timestamp_ms`, `execution_time_ms`, `status`,
 * `request_metadata`). Ids may be base64 or hex in any case.
 */
import type { Artifact, Span, SpanEvent, Trace, TraceInfo, TraceState } from './model';
import { hexToBase64, isTraceId, normalizeId, requireId, SPAN_ID_BYTES, TRACE_ID_BYTES } from './ids';
import { toNanos } from './nanos';
import type { OutlineSpan } from './outline';
import { CLASSIFYING_ATTRIBUTES, reservedAttributes, RESERVED } from './semconv';
import { outlineSpanFromParts, spanFromParts, statusCodeFrom, type SpanParts } from './spanFromParts';
import { setOwn } from '../util/ownRecord';

const SCHEMA_VERSION_KEY = 'mlflow.trace_schema.version';
const COSTAR_FORMAT_VERSION = 1;

export function toMlflowJson(trace: Trace): object {
  const { info } = trace;
  const requestId = info.mlflowTraceId ?? `tr-${info.traceId}`;
  return {
    info: {
      trace_id: requestId,
      ...(info.clientRequestId !== undefined ? { client_request_id: info.clientRequestId } : {}),
      trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: info.experimentId ?? '0' } },
      request_time: new Date(Math.round(info.requestTime)).toISOString(),
      execution_duration_ms: Math.round(info.executionDurationMs),
      state: info.state,
      ...(info.requestPreview !== undefined ? { request_preview: info.requestPreview } : {}),
      ...(info.responsePreview !== undefined ? { response_preview: info.responsePreview } : {}),
      trace_metadata: { ...info.metadata, [SCHEMA_VERSION_KEY]: '3' },
      tags: { ...info.tags },
      assessments: info.assessments ?? [],
    },
    data: { spans: trace.spans.map((span) => mlflowSpan(info.traceId, requestId, span)) },
    costar: { version: COSTAR_FORMAT_VERSION, artifacts: trace.artifacts },
  };
}

function mlflowSpan(traceId: string, requestId: string, span: Span): object {
  const attributes: Record<string, string> = { [RESERVED.requestId]: JSON.stringify(requestId) };
  for (const [key, value] of Object.entries(reservedAttributes(span))) attributes[key] = JSON.stringify(value);
  for (const [key, value] of Object.entries(span.attributes)) setOwn(attributes, key, JSON.stringify(value));
  return {
    trace_id: hexToBase64(traceId),
    span_id: hexToBase64(span.spanId),
    trace_state: '',
    parent_span_id: span.parentId ? hexToBase64(span.parentId) : '',
    name: span.name,
    start_time_unix_nano: span.startTimeUnixNano,
    end_time_unix_nano: span.endTimeUnixNano,
    events: span.events.map((e) => ({ name: e.name, time_unix_nano: e.timeUnixNano, attributes: e.attributes })),
    status: { code: `STATUS_CODE_${span.status.code}`, message: span.status.message ?? '' },
    attributes,
  };
}

export function fromMlflowJson(json: unknown): Trace {
  const doc = record(json, 'trace');
  const data = record(doc.data, 'data');
  if (!Array.isArray(data.spans)) throw new Error('data.spans: expected an array of spans');

  const parsed = data.spans.map((span, n) => readMlflowSpan(span, `data.spans[${n}]`));
  return {
    info: readMlflowInfo(doc.info, parsed.map((p) => p.traceId)),
    spans: parsed.map((p) => p.span),
    artifacts: readMlflowArtifacts(doc.costar),
  };
}

/**
 * The text toMlflowJson(trace) serializes to (byte for byte JSON.stringify of it), with the byte
 * range of every span (in `trace.spans` order) and of the artifacts array: what the trace
 * viewer's outline records so it can read one span without parsing the file.
 */
export function serializeMlflowTrace(trace: Trace): { text: string; spanRanges: [number, number][]; artifactsRange: [number, number] } {
  const doc = toMlflowJson(trace) as { info: object; data: { spans: object[] }; costar: { version: number; artifacts: Artifact[] } };
  const parts: string[] = [];
  let bytes = 0;
  const add = (text: string): [number, number] => {
    const start = bytes;
    parts.push(text);
    bytes += Buffer.byteLength(text);
    return [start, bytes];
  };
  add(`{"info":${JSON.stringify(doc.info)},"data":{"spans":[`);
  const spanRanges = doc.data.spans.map((span, n) => {
    if (n > 0) add(',');
    return add(JSON.stringify(span));
  });
  add(`]},"costar":{"version":${JSON.stringify(doc.costar.version)},"artifacts":`);
  const artifactsRange = add(JSON.stringify(doc.costar.artifacts));
  add('}}');
  return { text: parts.join(''), spanRanges, artifactsRange };
}

/** The OTel trace id: from `tr-<hex>` when it has that form, otherwise from the spans. */
function traceIdOf(info: Record<string, unknown>, spanTraceIds: readonly (string | null)[]): string {
  const raw = info.trace_id ?? info.request_id;
  if (typeof raw !== 'string' || raw === '') throw new Error('info.trace_id: missing (expected "tr-" followed by 32 hex digits)');
  const tail = raw.replace(/^tr-/, '').replace(/^trace:\/[^/]*\//, '').toLowerCase();
  if (isTraceId(tail)) return tail;
  const fromSpans = spanTraceIds.find((id): id is string => id !== null);
  if (fromSpans) return fromSpans;
  throw new Error(`info.trace_id: ${JSON.stringify(raw)} holds no OpenTelemetry trace id and no span carries one`);
}

/** The `info` object of an MLflow trace; `spanTraceIds` are the trace ids its spans carry (null: none). */
export function readMlflowInfo(value: unknown, spanTraceIds: readonly (string | null)[]): TraceInfo {
  const info = record(value, 'info');
  return readInfo(info, traceIdOf(info, spanTraceIds));
}

function readInfo(info: Record<string, unknown>, traceId: string): TraceInfo {
  const metadata = stringMap(info.trace_metadata ?? info.request_metadata, 'info.trace_metadata');
  delete metadata[SCHEMA_VERSION_KEY];
  const out: TraceInfo = {
    traceId,
    requestTime: requestTime(info.request_time ?? info.timestamp_ms),
    executionDurationMs: duration(info),
    state: traceState(info.state ?? info.status),
    metadata,
    tags: stringMap(info.tags, 'info.tags'),
  };
  if (typeof info.request_preview === 'string') out.requestPreview = info.request_preview;
  if (typeof info.response_preview === 'string') out.responsePreview = info.response_preview;
  const raw = info.trace_id ?? info.request_id;
  if (typeof raw === 'string' && raw !== `tr-${traceId}`) out.mlflowTraceId = raw;
  const location = isRecord(info.trace_location) && isRecord(info.trace_location.mlflow_experiment) ? info.trace_location.mlflow_experiment : {};
  const experimentId = location.experiment_id ?? info.experiment_id;
  // "0" (MLflow's Default experiment) is also what a trace without one is written with.
  if ((typeof experimentId === 'string' || typeof experimentId === 'number') && !['', '0'].includes(String(experimentId))) out.experimentId = String(experimentId);
  if (typeof info.client_request_id === 'string' && info.client_request_id !== '') out.clientRequestId = info.client_request_id;
  if (Array.isArray(info.assessments) && info.assessments.length > 0) out.assessments = info.assessments;
  return out;
}

function requestTime(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new Error(`info.request_time: expected an RFC 3339 time or milliseconds since the epoch, got ${JSON.stringify(value)}`);
}

function duration(info: Record<string, unknown>): number {
  const ms = info.execution_duration_ms ?? info.execution_time_ms;
  if (typeof ms === 'number') return ms;
  if (typeof ms === 'string' && Number.isFinite(Number(ms))) return Number(ms);
  // The protobuf JSON form of a Duration: "1.500s".
  const proto = info.execution_duration;
  if (typeof proto === 'string' && /^\d+(\.\d+)?s$/.test(proto)) return Number(proto.slice(0, -1)) * 1000;
  if (ms === undefined && proto === undefined) return 0;
  throw new Error(`info.execution_duration_ms: expected milliseconds, got ${JSON.stringify(ms ?? proto)}`);
}

function traceState(value: unknown): TraceState {
  if (value === 'OK' || value === 'ERROR' || value === 'IN_PROGRESS') return value;
  // MLflow 2 used status names; an unspecified state means the trace never finished cleanly.
  if (value === 'STATE_UNSPECIFIED' || value === 'UNSPECIFIED' || value === 'TRACE_STATUS_UNSPECIFIED') return 'IN_PROGRESS';
  throw new Error(`info.state: expected OK, ERROR or IN_PROGRESS, got ${JSON.stringify(value)}`);
}

/**
 * What readMlflowSpan makes of a span: the whole Span, or only an outline's fields ('outline'),
 * for which the payload attributes (inputs, outputs…) are never decoded. Both check the span
 * alike, so a span one rejects the other rejects with the same message.
 */
type SpanFields = 'all' | 'outline';
type SpanOf<F extends SpanFields> = F extends 'outline' ? OutlineSpan : Span;

/** One span of `data.spans` (any MLflow span shape), and the OTel trace id it carries (null: none). */
export function readMlflowSpan<F extends SpanFields = 'all'>(value: unknown, where: string, fields?: F): { traceId: string | null; span: SpanOf<F> } {
  const read = readMlflowSpanParts(value, where, fields === 'outline' ? CLASSIFYING_ATTRIBUTES : undefined);
  return { traceId: read.traceId, span: (fields === 'outline' ? outlineSpanFromParts(read.parts) : spanFromParts(read.parts)) as SpanOf<F> };
}

/** The parts of a span, its attributes decoded (only the `only` ones when given). */
function readMlflowSpanParts(value: unknown, where: string, only: ReadonlySet<string> | undefined): { traceId: string | null; parts: SpanParts } {
  const span = record(value, where);
  if (isRecord(span.context)) return readV2Span(span, where, only);
  const status = isRecord(span.status) ? span.status : {};
  const start = toNanos(span.start_time_unix_nano, `${where}.start_time_unix_nano`);
  const end = span.end_time_unix_nano;
  // Span dict v4 puts MLflow's "tr-…" id in trace_id and the OTel id in otel_trace_id.
  const rawTraceId = span.otel_trace_id ?? span.trace_id;
  return {
    traceId: typeof rawTraceId === 'string' && rawTraceId.startsWith('tr-') ? null : traceIds.read(rawTraceId, `${where}.trace_id`),
    parts: {
      spanId: requireId(span.span_id, SPAN_ID_BYTES, `${where}.span_id`),
      parentId: parentIds.read(span.parent_span_id, `${where}.parent_span_id`),
      name: stringField(span.name, `${where}.name`),
      startTimeUnixNano: start,
      endTimeUnixNano: end === undefined || end === null ? start : toNanos(end, `${where}.end_time_unix_nano`),
      status: statusOf(statusCodeFrom(status.code, `${where}.status.code`), status.message),
      attributes: decodeAttributes(span.attributes, `${where}.attributes`, only),
      events: readEvents(span.events, where, 'time_unix_nano'),
    },
  };
}

function readV2Span(span: Record<string, unknown>, where: string, only: ReadonlySet<string> | undefined): { traceId: string | null; parts: SpanParts } {
  const context = span.context as Record<string, unknown>;
  const start = toNanos(span.start_time, `${where}.start_time`);
  return {
    traceId: traceIds.read(context.trace_id, `${where}.context.trace_id`),
    parts: {
      spanId: requireId(context.span_id, SPAN_ID_BYTES, `${where}.context.span_id`),
      parentId: parentIds.read(span.parent_id, `${where}.parent_id`),
      name: stringField(span.name, `${where}.name`),
      startTimeUnixNano: start,
      endTimeUnixNano: span.end_time === undefined || span.end_time === null ? start : toNanos(span.end_time, `${where}.end_time`),
      status: statusOf(statusCodeFrom(span.status_code, `${where}.status_code`), span.status_message),
      attributes: decodeAttributes(span.attributes, `${where}.attributes`, only),
      events: readEvents(span.events, where, 'timestamp'),
    },
  };
}

/**
 * normalizeId remembering the last id text it read: every span of a trace carries the same trace
 * id and runs of siblings the same parent id, and a scan reads hundreds of thousands of spans.
 */
class LastId {
  private raw: string | undefined;
  private id: string | null = null;

  constructor(private readonly byteLength: number) {}

  read(raw: unknown, where: string): string | null {
    if (typeof raw === 'string' && raw === this.raw) return this.id;
    const id = normalizeId(raw, this.byteLength, where);
    if (typeof raw === 'string') {
      this.raw = raw;
      this.id = id;
    }
    return id;
  }
}

const traceIds = new LastId(TRACE_ID_BYTES);
const parentIds = new LastId(SPAN_ID_BYTES);

function readEvents(value: unknown, where: string, timeKey: string): SpanEvent[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${where}.events: expected an array`);
  return value.map((item, n) => {
    const event = record(item, `${where}.events[${n}]`);
    return {
      name: stringField(event.name, `${where}.events[${n}].name`),
      timeUnixNano: toNanos(event[timeKey], `${where}.events[${n}].${timeKey}`),
      attributes: isRecord(event.attributes) ? { ...event.attributes } : {},
    };
  });
}

/**
 * MLflow stores every span attribute value as a JSON-encoded string; values that aren't JSON stay
 * as text. With `only`, just those keys are decoded (and kept).
 */
function decodeAttributes(value: unknown, where: string, only?: ReadonlySet<string>): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  const attributes = record(value, where);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(attributes)) {
    if (only && !only.has(key)) continue;
    const raw = attributes[key];
    const decoded = typeof raw === 'string' ? decodedValue(raw) : raw;
    // `only` names known keys (never "__proto__"): a plain write is safe and cheaper than setOwn.
    if (only) out[key] = decoded;
    else setOwn(out, key, decoded);
  }
  return out;
}

function decodedValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** The artifacts of coSTAR's `costar` member (none when absent). */
export function readMlflowArtifacts(costar: unknown): Artifact[] {
  if (!isRecord(costar) || costar.artifacts === undefined) return [];
  if (!Array.isArray(costar.artifacts)) throw new Error('costar.artifacts: expected an array');
  return costar.artifacts.map((item, n) => {
    const a = record(item, `costar.artifacts[${n}]`);
    if (typeof a.path !== 'string' || typeof a.sha256 !== 'string' || typeof a.size !== 'number') {
      throw new Error(`costar.artifacts[${n}]: expected {path, size, sha256, change}`);
    }
    return a as unknown as Artifact;
  });
}

function statusOf(code: Span['status']['code'], message: unknown): Span['status'] {
  return typeof message === 'string' && message !== '' ? { code, message } : { code };
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  // MLflow 2 wrote metadata and tags as [{key, value}] lists in some exports.
  const entries = Array.isArray(value)
    ? value.map((item, n) => {
        const kv = record(item, `${where}[${n}]`);
        return [String(kv.key), String(kv.value)] as const;
      })
    : Object.entries(record(value, where)).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as const);
  return Object.fromEntries(entries);
}

function stringField(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new Error(`${where}: expected a string`);
  return value;
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Error(`${where}: expected an object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value) ?? typeof value}`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
