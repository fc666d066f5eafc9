/**
 * OTLP protobuf trace export requests (what Python's exporter sends by default) to model spans.
 */
import { normalizeId, requireId, SPAN_ID_BYTES, TRACE_ID_BYTES } from './ids';
import { toNanos } from './nanos';
import { decodeReserved, push, safeInteger, statusOf, type SpansByTrace } from './otlp';
import { ExportTraceServiceRequest } from './otlpProto';
import { spanFromParts, statusCodeFrom } from './spanFromParts';
import { setOwn } from '../util/ownRecord';

interface PbKeyValue { key: string; value?: PbAnyValue | null }
interface PbAnyValue {
  value?: string;
  string_value?: string;
  bool_value?: boolean;
  int_value?: unknown;
  double_value?: number;
  array_value?: { values: PbAnyValue[] };
  kvlist_value?: { values: PbKeyValue[] };
  bytes_value?: Uint8Array;
}
interface PbEvent { time_unix_nano: unknown; name: string; attributes: PbKeyValue[] }
interface PbSpan {
  kind: number;
  trace_id: Uint8Array;
  span_id: Uint8Array;
  parent_span_id: Uint8Array;
  name: string;
  start_time_unix_nano: unknown;
  end_time_unix_nano: unknown;
  attributes: PbKeyValue[];
  events: PbEvent[];
  status?: { code: number; message: string } | null;
}
interface PbScopeSpans { scope?: { name: string; version: string } | null; spans: PbSpan[] }
interface PbRequest { resource_spans: { resource?: { attributes: PbKeyValue[] } | null; scope_spans: PbScopeSpans[] }[] }

export function decodeOtlpProtobuf(bytes: Uint8Array): SpansByTrace {
  let request: PbRequest;
  try {
    request = ExportTraceServiceRequest.decode(bytes) as unknown as PbRequest;
  } catch (error) {
    throw new Error(`OTLP protobuf: not a valid ExportTraceServiceRequest (${(error as Error).message})`);
  }
  const out: SpansByTrace = new Map();
  request.resource_spans.forEach((resource, r) => {
    const resourceAttributes = pbAttributes(resource.resource?.attributes ?? []);
    resource.scope_spans.forEach((scope, s) => {
      scope.spans.forEach((span, n) => {
        const where = `resourceSpans[${r}].scopeSpans[${s}].spans[${n}]`;
        const traceId = requireId(span.trace_id, TRACE_ID_BYTES, `${where}.traceId`);
        const start = toNanos(span.start_time_unix_nano, `${where}.startTimeUnixNano`);
        const end = toNanos(span.end_time_unix_nano, `${where}.endTimeUnixNano`);
        push(out, traceId, spanFromParts({
          spanId: requireId(span.span_id, SPAN_ID_BYTES, `${where}.spanId`),
          parentId: normalizeId(span.parent_span_id, SPAN_ID_BYTES, `${where}.parentSpanId`),
          name: span.name,
          startTimeUnixNano: start,
          endTimeUnixNano: end === '0' ? start : end,
          status: statusOf(statusCodeFrom(span.status?.code ?? 0, `${where}.status.code`), span.status?.message),
          attributes: decodeReserved(pbAttributes(span.attributes)),
          events: span.events.map((e) => ({
            name: e.name,
            timeUnixNano: toNanos(e.time_unix_nano, `${where}.events.timeUnixNano`),
            attributes: pbAttributes(e.attributes),
          })),
          kind: span.kind,
          scope: scope.scope,
          resource: resourceAttributes,
        }));
      });
    });
  });
  return out;
}

function pbAttributes(list: PbKeyValue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list) setOwn(out, kv.key, pbAnyValue(kv.value));
  return out;
}

function pbAnyValue(value: PbAnyValue | null | undefined): unknown {
  switch (value?.value) {
    case 'string_value': return value.string_value;
    case 'bool_value': return value.bool_value;
    case 'int_value': return safeInteger(BigInt(String(value.int_value)));
    case 'double_value': return value.double_value;
    case 'array_value': return value.array_value!.values.map(pbAnyValue);
    case 'kvlist_value': return pbAttributes(value.kvlist_value!.values);
    case 'bytes_value': return Buffer.from(value.bytes_value!).toString('base64');
    default: return null;
  }
}
