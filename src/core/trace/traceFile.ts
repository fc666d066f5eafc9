/**
 * Reads a trace file an agent wrote (COSTAR_TRACE_FILE) or a user imports (`costar import`):
 * MLflow trace JSON or OTLP JSON, one document, a JSON array of documents, or JSON Lines.
 */
import { promises as fs } from 'node:fs';
import type { Trace } from './model';
import { META } from './model';
import { fromMlflowJson } from './mlflow';
import { decodeOtlpJson } from './otlp';
import { parseJsonKeepingNanos } from './nanos';
import { spansToTrace } from './assemble';

export type TraceFileFormat = 'auto' | 'mlflow' | 'otlp';

export async function readTraceFile(file: string, format: TraceFileFormat = 'auto'): Promise<Trace[]> {
  const text = await fs.readFile(file, 'utf8');
  try {
    return parseTraceText(text, format);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

/** Parses trace text; errors name the line (JSON Lines) or document and the field. */
export function parseTraceText(text: string, format: TraceFileFormat): Trace[] {
  if (text.trim() === '') throw new Error('the file is empty (expected MLflow trace JSON or OTLP JSON)');
  const documents = splitDocuments(text);
  const traces: Trace[] = [];
  for (const { doc, where } of documents) {
    try {
      traces.push(...documentToTraces(doc, format));
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
  }
  return traces;
}

function splitDocuments(text: string): { doc: unknown; where: string }[] {
  let whole: unknown;
  try {
    whole = parseJsonKeepingNanos(text);
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

function documentToTraces(doc: unknown, format: TraceFileFormat): Trace[] {
  const kind = format === 'auto' ? detect(doc) : format;
  if (kind === 'mlflow') return [fromMlflowJson(doc)];
  return [...decodeOtlpJson(doc)].map(([traceId, spans]) => spansToTrace(spans, { traceId, metadata: { [META.source]: 'file' } }));
}

function detect(doc: unknown): 'mlflow' | 'otlp' {
  if (typeof doc === 'object' && doc !== null) {
    if ('resourceSpans' in doc || 'resource_spans' in doc) return 'otlp';
    if ('info' in doc && 'data' in doc) return 'mlflow';
  }
  throw new Error('neither MLflow trace JSON ({"info", "data"}) nor OTLP JSON ({"resourceSpans"}); pass --format to say which');
}
