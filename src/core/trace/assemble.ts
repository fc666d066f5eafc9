/**
 * Builds a Trace from loose spans (from the OTLP receiver or a trace file): finds the root,
 * derives request time, duration, state and the previews, and merges the caller's info fields.
 */
import type { Artifact, Span, Trace, TraceInfo } from './model';
import { rootSpans } from './model';

/** MLflow OSS caps previews at 1,000 characters; we do the same so the list view stays light. */
export const PREVIEW_MAX_CHARS = 1000;

export type TraceInfoFields = Pick<TraceInfo, 'traceId'> & Partial<Omit<TraceInfo, 'traceId'>>;

/**
 * The trace state follows the root span(s), as in MLflow: an ERROR root makes the trace ERROR.
 * An error inside a child span that the agent recovered from (a failed tool call it retried)
 * leaves the trace OK; judges and metrics still see that span's status.
 */
export function spansToTrace(spans: Span[], fields: TraceInfoFields, artifacts: Artifact[] = []): Trace {
  // A span whose parent never arrived counts as a root too.
  const roots = rootSpans({ spans });
  const root = roots[0];
  let start: bigint | undefined;
  let end: bigint | undefined;
  for (const span of spans) {
    const s = BigInt(span.startTimeUnixNano);
    const e = BigInt(span.endTimeUnixNano);
    if (start === undefined || s < start) start = s;
    if (end === undefined || e > end) end = e;
  }
  const info: TraceInfo = {
    traceId: fields.traceId,
    // Whole milliseconds, because MLflow stores request_time and execution_duration that way.
    requestTime: fields.requestTime ?? (start !== undefined ? Number(start / 1_000_000n) : Date.now()),
    executionDurationMs: fields.executionDurationMs ?? (start !== undefined && end !== undefined ? Number((end - start) / 1_000_000n) : 0),
    state: fields.state ?? (roots.some((r) => r.status.code === 'ERROR') ? 'ERROR' : 'OK'),
    metadata: { ...fields.metadata },
    tags: { ...fields.tags },
  };
  const requestPreview = fields.requestPreview ?? preview(root?.inputs);
  const responsePreview = fields.responsePreview ?? preview(root?.outputs);
  if (requestPreview !== undefined) info.requestPreview = requestPreview;
  if (responsePreview !== undefined) info.responsePreview = responsePreview;
  return { info, spans, artifacts };
}


export function preview(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > PREVIEW_MAX_CHARS ? `${text.slice(0, PREVIEW_MAX_CHARS - 3)}...` : text;
}
