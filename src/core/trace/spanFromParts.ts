import type { Span, SpanEvent, SpanStatusCode } from './model';
import { extractSemantics } from './semconv';

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
}

/** Builds a model Span, deriving span type, inputs, outputs, tokens and tool name from the attributes. */
export function spanFromParts(parts: SpanParts): Span {
  const semantics = extractSemantics(parts.attributes, parts.events);
  const span: Span = {
    spanId: parts.spanId,
    parentId: parts.parentId,
    name: parts.name,
    spanType: semantics.spanType,
    startTimeUnixNano: parts.startTimeUnixNano,
    endTimeUnixNano: parts.endTimeUnixNano,
    status: parts.status.message ? parts.status : { code: parts.status.code },
    attributes: semantics.attributes,
    events: parts.events,
  };
  if (semantics.inputs !== undefined) span.inputs = semantics.inputs;
  if (semantics.outputs !== undefined) span.outputs = semantics.outputs;
  if (semantics.tokens) span.tokens = semantics.tokens;
  if (semantics.toolName !== undefined) span.toolName = semantics.toolName;
  return span;
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
