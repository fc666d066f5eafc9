/**
 * Reads a trace file an agent wrote (COSTAR_TRACE_FILE) or a user imports (`costar import`):
 * - MLflow trace JSON (v2 or v3) or OTLP JSON: one document, a JSON array of documents, or
 *   JSON Lines (one document per line, e.g. one export request per line as a collector's file
 *   exporter or Traceloop's per-span stream writes them);
 * - Jaeger's API v3 responses, which wrap OTLP JSON in {"result": …};
 * - OTLP protobuf: one ExportTraceServiceRequest, or several each prefixed by its 4-byte
 *   big-endian length (the OpenTelemetry Collector's file exporter with format: proto).
 * Spans of one trace spread over several documents are merged by trace id (a span sent twice
 * keeps its last copy), so a file yields one Trace per trace id.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Span, Trace } from './model';
import { META } from './model';
import { fromMlflowJson } from './mlflow';
import { decodeOtlpJson, type SpansByTrace } from './otlp';
import { parseJsonKeepingNanos } from './nanos';
import { spansToTrace } from './assemble';

export type TraceFileFormat = 'auto' | 'mlflow' | 'otlp';

/** Errors name the file once, then the line or document and the field. */
export async function readTraceFile(file: string, format: TraceFileFormat = 'auto', cwd?: string): Promise<Trace[]> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(cwd === undefined ? file : path.resolve(cwd, file));
  } catch (error) {
    throw new Error(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    if (looksBinary(bytes)) {
      if (format === 'mlflow') throw new Error('this is not JSON: MLflow traces are JSON files (is it OTLP protobuf? then use --format otlp or auto)');
      return await parseOtlpProtobufFile(bytes);
    }
    return parseTraceText(bytes.toString('utf8'), format);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

/** Parses trace text; errors name the line (JSON Lines) or document and the field. */
export function parseTraceText(text: string, format: TraceFileFormat): Trace[] {
  if (text.trim() === '') throw new Error('the file is empty (expected MLflow trace JSON, OTLP JSON or OTLP protobuf)');
  const merger = new TraceMerger();
  for (const { doc, where } of splitDocuments(text)) {
    try {
      addDocument(merger, doc, format);
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
  }
  return merger.traces();
}

async function parseOtlpProtobufFile(bytes: Buffer): Promise<Trace[]> {
  // protobufjs is loaded only for binary files.
  const { decodeOtlpProtobuf } = await import('./otlpProtobuf');
  const merger = new TraceMerger();
  // A message never starts with a zero byte (field number 0 is invalid), a length prefix of
  // under 16 MiB always does: that tells the two layouts apart.
  const notJson = 'not JSON (it does not start with { or [), so it was read as OTLP protobuf';
  if (bytes[0] !== 0) {
    try {
      merger.addOtlp(decodeOtlpProtobuf(bytes));
    } catch (error) {
      throw new Error(`${notJson}: ${(error as Error).message}`);
    }
    const traces = merger.traces();
    if (traces.length === 0) throw new Error(`${notJson}, but it holds no spans`);
    return traces;
  }
  let offset = 0;
  for (let n = 1; offset < bytes.length; n++) {
    if (offset + 4 > bytes.length) throw new Error(`message ${n}: truncated length prefix at byte ${offset}`);
    const length = bytes.readUInt32BE(offset);
    const end = offset + 4 + length;
    if (end > bytes.length) throw new Error(`message ${n}: its length prefix says ${length} bytes but only ${bytes.length - offset - 4} follow (a truncated file?)`);
    try {
      merger.addOtlp(decodeOtlpProtobuf(bytes.subarray(offset + 4, end)));
    } catch (error) {
      throw new Error(`message ${n} (byte ${offset}): ${(error as Error).message}`);
    }
    offset = end;
  }
  return merger.traces();
}

/**
 * JSON text starts (after whitespace and a BOM) with "{" or "[" and holds no control characters
 * but tab, CR and LF; a protobuf message has field tags such as 0x12 within its first bytes.
 */
function looksBinary(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 4096);
  if (head.some((b) => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)) return true;
  const first = head.toString('utf8').replace(/^[\uFEFF\s]+/, '')[0];
  return first !== undefined && first !== '{' && first !== '[';
}

function splitDocuments(text: string): { doc: unknown; where: string }[] {
  let whole: unknown;
  try {
    whole = parseJsonKeepingNanos(text.replace(/^\uFEFF/, ''));
  } catch {
    return text.split('\n').flatMap((line, n) => {
      if (line.trim() === '') return [];
      try {
        return [{ doc: parseJsonKeepingNanos(line), where: `line ${n + 1}` }];
      } catch (error) {
        throw new Error(`line ${n + 1}: not valid JSON (${(error as Error).message}); expected one JSON document, or one per line`);
      }
    });
  }
  if (Array.isArray(whole)) return whole.map((doc, n) => ({ doc, where: `item ${n}` }));
  return [{ doc: whole, where: 'document' }];
}

function addDocument(merger: TraceMerger, doc: unknown, format: TraceFileFormat): void {
  const unwrapped = jaegerResult(doc);
  const kind = format === 'auto' ? detect(unwrapped) : format;
  if (kind === 'mlflow') merger.addMlflow(fromMlflowJson(unwrapped));
  else merger.addOtlp(decodeOtlpJson(unwrapped));
}

/** Jaeger's API v3 (GetTrace, FindTraces) answers {"result": <OTLP JSON>} or {"error": …}. */
function jaegerResult(doc: unknown): unknown {
  if (!isRecord(doc)) return doc;
  if (isRecord(doc.result) && ('resourceSpans' in doc.result || 'resource_spans' in doc.result)) return doc.result;
  if (isRecord(doc.error) && !('info' in doc)) {
    throw new Error(`a Jaeger error response, not a trace: ${JSON.stringify(doc.error.message ?? doc.error)}`);
  }
  return doc;
}

function detect(doc: unknown): 'mlflow' | 'otlp' {
  if (isRecord(doc)) {
    if ('resourceSpans' in doc || 'resource_spans' in doc) return 'otlp';
    if ('info' in doc && 'data' in doc) return 'mlflow';
  }
  throw new Error('neither MLflow trace JSON ({"info", "data"}), OTLP JSON ({"resourceSpans"}) nor a Jaeger API v3 response ({"result"}); pass --format to say which');
}

/** Collects traces by trace id across documents; spans are keyed by span id within a trace. */
class TraceMerger {
  private readonly mlflow = new Map<string, Trace>();
  private readonly otlp = new Map<string, Map<string, Span>>();

  addMlflow(trace: Trace): void {
    const earlier = this.mlflow.get(trace.info.traceId);
    if (!earlier) {
      this.mlflow.set(trace.info.traceId, trace);
      return;
    }
    // The same trace exported again (or in parts): its spans join the first copy's.
    const byId = new Map(earlier.spans.map((s) => [s.spanId, s]));
    for (const span of trace.spans) byId.set(span.spanId, span);
    earlier.spans = [...byId.values()];
    earlier.artifacts.push(...trace.artifacts.filter((a) => !earlier.artifacts.some((b) => b.path === a.path)));
  }

  addOtlp(batch: SpansByTrace): void {
    for (const [traceId, spans] of batch) {
      let byId = this.otlp.get(traceId);
      if (!byId) this.otlp.set(traceId, (byId = new Map()));
      for (const span of spans) byId.set(span.spanId, span);
    }
  }

  traces(): Trace[] {
    const out = [...this.mlflow.values()];
    for (const [traceId, byId] of this.otlp) {
      const known = this.mlflow.get(traceId);
      if (known) {
        const merged = new Map(known.spans.map((s) => [s.spanId, s]));
        for (const [id, span] of byId) merged.set(id, span);
        known.spans = [...merged.values()];
      } else {
        out.push(spansToTrace([...byId.values()], { traceId, metadata: { [META.source]: 'file' } }));
      }
    }
    return out;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
