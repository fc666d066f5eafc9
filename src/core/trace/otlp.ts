/**
 * OTLP JSON trace export requests to model spans, and traces back to OTLP JSON (protobuf
 * requests: otlpProtobuf.ts, kept apart so that readers of JSON never load protobufjs).
 *
 * OTLP JSON is read leniently because producers differ: ids in hex of any case or base64,
 * nanoseconds as strings or numbers, enums as numbers or names, camelCase or snake_case keys.
 */
import type { Span, SpanEvent, Trace } from './model';
import { normalizeId, requireId, SPAN_ID_BYTES, TRACE_ID_BYTES } from './ids';
import { toNanos } from './nanos';
import { spanFromParts, statusCodeFrom } from './spanFromParts';
import { RESERVED, reservedAttributes } from './semconv';
import { setOwn } from '../util/ownRecord';

/** Spans grouped by their (lowercase hex) trace id, in arrival order. */
export type SpansByTrace = Map<string, Span[]>;

export function decodeOtlpJson(body: unknown): SpansByTrace {
  const out: SpansByTrace = new Map();
  if (!isRecord(body)) throw new Error('OTLP JSON: expected an object with "resourceSpans"');
  const resources = field(body, 'resourceSpans', 'resource_spans');
  if (resources === undefined) throw new Error('OTLP JSON: missing "resourceSpans"');
  forEachArray(resources, 'resourceSpans', (resource, rWhere) => {
    const resourceAttributes = isRecord(resource.resource) ? jsonAttributes(resource.resource.attributes, `${rWhere}.resource.attributes`) : {};
    const scopes = field(resource, 'scopeSpans', 'scope_spans') ?? field(resource, 'instrumentationLibrarySpans', 'instrumentation_library_spans');
    forEachArray(scopes ?? [], `${rWhere}.scopeSpans`, (scope, sWhere) => {
      const library = scope.scope ?? field(scope, 'instrumentationLibrary', 'instrumentation_library');
      const context: SpanContext = { resource: resourceAttributes, scope: isRecord(library) ? { name: str(library.name), version: str(library.version) } : undefined };
      forEachArray(scope.spans ?? [], `${sWhere}.spans`, (span, where) => {
        const traceId = requireId(field(span, 'traceId', 'trace_id'), TRACE_ID_BYTES, `${where}.traceId`);
        push(out, traceId, jsonSpan(span, where, context));
      });
    });
  });
  return out;
}

/** What a span inherits from the resource and scope it is listed under. */
export interface SpanContext {
  resource: Record<string, unknown>;
  scope: { name?: string; version?: string } | undefined;
}

function jsonSpan(span: Record<string, unknown>, where: string, context: SpanContext): Span {
  const start = toNanos(field(span, 'startTimeUnixNano', 'start_time_unix_nano'), `${where}.startTimeUnixNano`);
  const endRaw = field(span, 'endTimeUnixNano', 'end_time_unix_nano');
  const status = isRecord(span.status) ? span.status : {};
  return spanFromParts({
    spanId: requireId(field(span, 'spanId', 'span_id'), SPAN_ID_BYTES, `${where}.spanId`),
    parentId: normalizeId(field(span, 'parentSpanId', 'parent_span_id'), SPAN_ID_BYTES, `${where}.parentSpanId`),
    name: typeof span.name === 'string' ? span.name : '',
    startTimeUnixNano: start,
    endTimeUnixNano: endRaw === undefined ? start : toNanos(endRaw, `${where}.endTimeUnixNano`),
    status: statusOf(statusCodeFrom(status.code, `${where}.status.code`), status.message),
    attributes: decodeReserved(jsonAttributes(span.attributes, `${where}.attributes`)),
    events: jsonEvents(span.events, `${where}.events`),
    kind: span.kind,
    scope: context.scope,
    resource: context.resource,
  });
}

function jsonEvents(events: unknown, where: string): SpanEvent[] {
  const out: SpanEvent[] = [];
  forEachArray(events ?? [], where, (event, eWhere) => {
    out.push({
      name: typeof event.name === 'string' ? event.name : '',
      timeUnixNano: toNanos(field(event, 'timeUnixNano', 'time_unix_nano') ?? 0, `${eWhere}.timeUnixNano`),
      attributes: jsonAttributes(event.attributes, `${eWhere}.attributes`),
    });
  });
  return out;
}

function jsonAttributes(list: unknown, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  forEachArray(list ?? [], where, (kv, kvWhere) => {
    if (typeof kv.key !== 'string') throw new Error(`${kvWhere}.key: expected a string`);
    setOwn(out, kv.key, jsonAnyValue(kv.value, `${kvWhere}.value`));
  });
  return out;
}

function jsonAnyValue(value: unknown, where: string): unknown {
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) throw new Error(`${where}: expected an AnyValue object such as {"stringValue": "…"}`);
  const s = field(value, 'stringValue', 'string_value');
  if (s !== undefined) return s;
  const b = field(value, 'boolValue', 'bool_value');
  if (b !== undefined) return b;
  const i = field(value, 'intValue', 'int_value');
  if (i !== undefined) return safeInteger(typeof i === 'string' ? BigInt(i) : BigInt(i as number));
  const d = field(value, 'doubleValue', 'double_value');
  if (d !== undefined) return typeof d === 'string' ? Number(d) : d;
  const arr = field(value, 'arrayValue', 'array_value');
  if (arr !== undefined) {
    const values = isRecord(arr) && Array.isArray(arr.values) ? arr.values : [];
    return values.map((v, n) => jsonAnyValue(v, `${where}.arrayValue.values[${n}]`));
  }
  const kv = field(value, 'kvlistValue', 'kvlist_value');
  if (kv !== undefined) return jsonAttributes(isRecord(kv) ? kv.values : [], `${where}.kvlistValue.values`);
  const bytes = field(value, 'bytesValue', 'bytes_value');
  if (bytes !== undefined) return bytes; // base64 text, as the JSON mapping writes it
  return null; // an empty AnyValue is valid OTLP and means "no value"
}

// ---------------------------------------------------------------- export

/**
 * One OTLP JSON export request holding the given traces (used by `costar trace show --format otlp`),
 * spans grouped under their original resource and scope again. Reserved attributes travel
 * JSON-encoded, as MLflow's span attributes are.
 *
 * `forMlflowIngest`: MLflow's OTLP ingest JSON-encodes every attribute value, then (3.x,
 * `sanitize_attributes`) strips one layer again from string values whose text is a JSON string,
 * object or array — so an attribute holding JSON text would arrive as an object. Every string
 * attribute, reserved or not, goes JSON-encoded and everything else as a plain value: that way
 * MLflow stores exactly the value (text stays text, numbers stay numbers).
 */
export function toOtlpJson(traces: Trace[], options: { forMlflowIngest?: boolean } = {}): object {
  const groups = new Map<string, { resource: Record<string, unknown>; scopes: Map<string, { scope: Span['scope']; spans: object[] }> }>();
  for (const trace of traces) {
    for (const span of trace.spans) {
      const resource = span.resource ?? {};
      const rKey = JSON.stringify(resource);
      let group = groups.get(rKey);
      if (!group) groups.set(rKey, (group = { resource, scopes: new Map() }));
      const sKey = JSON.stringify(span.scope ?? null);
      let scope = group.scopes.get(sKey);
      if (!scope) group.scopes.set(sKey, (scope = { scope: span.scope, spans: [] }));
      scope.spans.push(otlpJsonSpan(trace.info.traceId, span, options.forMlflowIngest ?? false));
    }
  }
  return {
    resourceSpans: [...groups.values()].map((group) => ({
      resource: { attributes: toKeyValues(group.resource) },
      scopeSpans: [...group.scopes.values()].map((s) => ({ ...(s.scope ? { scope: s.scope } : {}), spans: s.spans })),
    })),
  };
}

const KIND_NUMBERS: Record<string, number> = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };

function otlpJsonSpan(traceId: string, span: Span, forMlflowIngest: boolean): object {
  // Derived fields travel as the reserved attributes so a re-import restores them exactly;
  // kind, scope and resource have their own places in OTLP.
  const attributes: Record<string, unknown> = { ...span.attributes };
  const { kind, scope, resource, ...derived } = span;
  if (forMlflowIngest) {
    // MLflow keeps neither the span kind nor the scope or resource of what it ingests: they
    // travel as coSTAR's reserved attributes too, so an import from MLflow restores them.
    Object.assign(attributes, reservedAttributes(span));
    for (const [key, value] of Object.entries(attributes)) if (typeof value === 'string') attributes[key] = JSON.stringify(value);
  } else {
    for (const [key, value] of Object.entries(reservedAttributes(derived))) attributes[key] = JSON.stringify(value);
  }
  return {
    traceId,
    spanId: span.spanId,
    ...(span.parentId ? { parentSpanId: span.parentId } : {}),
    name: span.name,
    ...(kind ? { kind: KIND_NUMBERS[kind] } : {}),
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    attributes: toKeyValues(attributes),
    events: span.events.map((e) => ({ name: e.name, timeUnixNano: e.timeUnixNano, attributes: toKeyValues(e.attributes) })),
    status: { code: { UNSET: 0, OK: 1, ERROR: 2 }[span.status.code], ...(span.status.message ? { message: span.status.message } : {}) },
  };
}

function toKeyValues(attributes: Record<string, unknown>): object[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: toAnyValue(value) }));
}

function toAnyValue(value: unknown): object {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(toAnyValue) } };
  if (isRecord(value)) return { kvlistValue: { values: toKeyValues(value) } };
  return {};
}

// ---------------------------------------------------------------- helpers

export function push(out: SpansByTrace, traceId: string, span: Span): void {
  const list = out.get(traceId);
  if (list) list.push(span);
  else out.set(traceId, [span]);
}

/**
 * Reserved attributes travel JSON-encoded over OTLP (MLflow's own exporter and toOtlpJson both do
 * this), so they are decoded once here; everything else is kept as the agent typed it.
 */
export function decodeReserved(attributes: Record<string, unknown>): Record<string, unknown> {
  for (const key of RESERVED_KEYS) {
    const value = attributes[key];
    if (typeof value !== 'string') continue;
    try {
      attributes[key] = JSON.parse(value);
    } catch {
      // A plain string (e.g. mlflow.spanType set by hand to LLM) is already the value.
    }
  }
  return attributes;
}

const RESERVED_KEYS = Object.values(RESERVED);

export function statusOf(code: Span['status']['code'], message: unknown): Span['status'] {
  return typeof message === 'string' && message !== '' ? { code, message } : { code };
}

export function safeInteger(value: bigint): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value.toString();
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function field(record: Record<string, unknown>, camel: string, snake: string): unknown {
  return record[camel] ?? record[snake];
}

function forEachArray(value: unknown, where: string, visit: (item: Record<string, unknown>, where: string) => void): void {
  if (!Array.isArray(value)) throw new Error(`${where}: expected an array`);
  value.forEach((item, n) => {
    if (!isRecord(item)) throw new Error(`${where}[${n}]: expected an object`);
    visit(item, `${where}[${n}]`);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
