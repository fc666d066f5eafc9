import type { Span, SpanEvent, SpanKind, SpanStatusCode } from './model';
import type { OutlineSpan } from './outline';
import { classifySpan, extractSemantics, RESERVED } from './semconv';

/** The fields every trace format carries for a span, already normalized. */
export interface SpanParts {
  spanId: string;
  parentId: string | null;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status: { code: SpanStatusCode; message?: string };
  /** Attribute values already decoded (not JSON-encoded strings). */
  attributes: Record<string, unknown>;
  events: SpanEvent[];
  /** OTLP's span kind, scope and resource, when the format carries them outside the attributes. */
  kind?: unknown;
  scope?: { name?: string; version?: string } | null;
  resource?: Record<string, unknown>;
}

/** Builds a model Span, deriving span type, inputs, outputs, tokens, tool and model name from the attributes. */
export function spanFromParts(parts: SpanParts): Span {
  const raw = parts.attributes;
  const semantics = extractSemantics(raw, parts.events);
  const span: Span = {
    spanId: parts.spanId,
    parentId: parts.parentId,
    name: parts.name,
    spanType: semantics.spanType,
    startTimeUnixNano: parts.startTimeUnixNano,
    endTimeUnixNano: parts.endTimeUnixNano,
    status: errorStatus(parts.status, parts.events),
    attributes: semantics.attributes,
    events: parts.events,
  };
  if (semantics.inputs !== undefined) span.inputs = semantics.inputs;
  if (semantics.outputs !== undefined) span.outputs = semantics.outputs;
  if (semantics.tokens) span.tokens = semantics.tokens;
  // A tool span without a tool-name attribute (OpenInference's traceTool, MLflow's @trace(span_type=TOOL))
  // is named after its tool, as MLflow shows it.
  const toolName = semantics.toolName ?? (semantics.spanType === 'TOOL' && parts.name !== '' ? parts.name : undefined);
  if (toolName !== undefined) span.toolName = toolName;
  if (semantics.model !== undefined) span.model = semantics.model;
  const kind = spanKindFrom(parts.kind ?? raw[RESERVED.kind]);
  if (kind) span.kind = kind;
  const scope = scopeFrom(parts.scope ?? raw[RESERVED.scope]);
  if (scope) span.scope = scope;
  const resource = parts.resource ?? raw[RESERVED.resource];
  if (isRecord(resource) && Object.keys(resource).length > 0) span.resource = resource;
  return span;
}

/**
 * The outline's fields of spanFromParts(parts), the same values, read from the classifying
 * attributes only (semconv.ts CLASSIFYING_ATTRIBUTES): `parts.attributes` may hold just those.
 */
export function outlineSpanFromParts(parts: SpanParts): OutlineSpan {
  const { spanType, tokens } = classifySpan(parts.attributes);
  const span: OutlineSpan = {
    spanId: parts.spanId,
    parentId: parts.parentId,
    name: parts.name,
    spanType,
    startTimeUnixNano: parts.startTimeUnixNano,
    endTimeUnixNano: parts.endTimeUnixNano,
    // errorStatus below only ever adds a message: the code is the one the span carries.
    status: { code: parts.status.code },
  };
  if (tokens) span.tokens = tokens;
  return span;
}

/**
 * A failed span whose status has no message takes it from its exception event, which is where
 * the OTel SDKs (recordException) and OpenInference put the error text.
 */
function errorStatus(status: SpanParts['status'], events: SpanEvent[]): Span['status'] {
  if (status.message) return status;
  if (status.code === 'ERROR') {
    const exception = events.find((e) => e.name === 'exception');
    const message = exception?.attributes['exception.message'] ?? exception?.attributes['exception.type'];
    if (typeof message === 'string' && message !== '') return { code: 'ERROR', message };
  }
  return { code: status.code };
}

const SPAN_KINDS: readonly (SpanKind | undefined)[] = [undefined, 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

/** OTLP span kind as a number (1–5) or a name ("SPAN_KIND_CLIENT", "client"). */
function spanKindFrom(value: unknown): SpanKind | undefined {
  if (typeof value === 'number') return SPAN_KINDS[value];
  if (typeof value !== 'string') return undefined;
  const name = value.toUpperCase().replace(/^SPAN_KIND_/, '');
  return SPAN_KINDS.find((k) => k === name);
}

function scopeFrom(value: unknown): Span['scope'] {
  if (!isRecord(value) || typeof value.name !== 'string' || value.name === '') return undefined;
  return typeof value.version === 'string' && value.version !== '' ? { name: value.name, version: value.version } : { name: value.name };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Status codes as OTLP (0/1/2, "STATUS_CODE_*"), MLflow ("OK", "ERROR", "UNSET") spell them. */
export function statusCodeFrom(value: unknown, where: string): SpanStatusCode {
  if (value === undefined || value === null || value === 0 || value === '') return 'UNSET';
  if (value === 1) return 'OK';
  if (value === 2) return 'ERROR';
  if (typeof value === 'string') {
    const name = value.toUpperCase().replace(/^STATUS_CODE_/, '');
    if (name === 'UNSET' || name === 'OK' || name === 'ERROR') return name;
  }
  throw new Error(`${where}: unknown status code ${JSON.stringify(value)} (expected UNSET, OK or ERROR, or 0, 1, 2)`);
}
