/**
 * `costar monitor import DIR|FILE`: production traces into the trace store, marked as
 * production so monitoring never mixes them with the traces of test runs.
 * Reads MLflow trace JSON, OTLP JSON, JSON Lines of either, and OTLP protobuf
 * (ExportTraceServiceRequest, as an OTLP file exporter or a collector writes it).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { META, type Trace } from '../trace/model';
import { readTraceFile } from '../trace/traceFile';
import { decodeOtlpProtobuf } from '../trace/otlpProtobuf';
import { spansToTrace } from '../trace/assemble';
import type { TraceStore } from '../trace/store';

/** Metadata key that marks a stored trace as a production trace. */
export const PRODUCTION_META = 'costar.production';

const JSON_EXTENSIONS = new Set(['.json', '.jsonl', '.ndjson']);
const PROTOBUF_EXTENSIONS = new Set(['.pb', '.binpb', '.protobuf']);

export interface ImportResult {
  file: string;
  traceIds: string[];
  error?: string;
}

/** The trace files under `target` (itself when it is a file), sorted for a stable order. */
export async function findTraceFiles(target: string): Promise<string[]> {
  const stat = await fs.stat(target);
  if (!stat.isDirectory()) return [target];
  const files: string[] = [];
  for (const entry of await fs.readdir(target, { withFileTypes: true, recursive: true })) {
    const ext = path.extname(entry.name).toLowerCase();
    if (entry.isFile() && !entry.name.startsWith('.') && (JSON_EXTENSIONS.has(ext) || PROTOBUF_EXTENSIONS.has(ext))) {
      files.push(path.join(entry.parentPath, entry.name));
    }
  }
  return files.sort();
}

export async function readProductionFile(file: string): Promise<Trace[]> {
  if (!PROTOBUF_EXTENSIONS.has(path.extname(file).toLowerCase())) return readTraceFile(file, 'auto');
  let spansByTrace;
  try {
    spansByTrace = decodeOtlpProtobuf(await fs.readFile(file));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  return [...spansByTrace].map(([traceId, spans]) => spansToTrace(spans, { traceId }));
}

/** Imports every trace file under the targets; a bad file is reported and the others still import. */
export async function importProduction(targets: readonly string[], store: TraceStore): Promise<ImportResult[]> {
  const results: ImportResult[] = [];
  for (const target of targets) {
    let files: string[];
    try {
      files = await findTraceFiles(target);
    } catch (error) {
      results.push({ file: target, traceIds: [], error: `${target}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (error as Error).message}` });
      continue;
    }
    for (const file of files) {
      try {
        const traces = await readProductionFile(file);
        for (const trace of traces) {
          trace.info.metadata[META.source] = 'import';
          trace.info.metadata[META.importedFrom] = path.basename(file);
          trace.info.metadata[PRODUCTION_META] = 'true';
          await store.put(trace);
        }
        results.push({ file, traceIds: traces.map((t) => t.info.traceId) });
      } catch (error) {
        results.push({ file, traceIds: [], error: (error as Error).message });
      }
    }
  }
  return results;
}
