/**
 * Gets the outline of a trace file: the one written beside it when it is there and matches the
 * file, else one built by scanning the file (and written beside it when it belongs beside). A
 * stale, damaged or missing outline is a warning, never an error: the trace file is the truth,
 * the outline only a cache of it.
 *
 * A file the scanner cannot read span by span (OTLP JSON, JSON Lines, protobuf…) is read whole
 * by the trace file reader and written once, in the store's MLflow shape, to a private temp file
 * with its outline, so every later read (a span's detail, search) works the same way.
 */
import { constants, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Trace } from './model';
import { serializeMlflowTrace } from './mlflow';
import { OutlineBuilder, OutlineView, type Outline } from './outline';
import { scanMlflowTrace, type ScanProgress } from './outlineScan';
import { readTraceFile } from './traceFile';
import { writeFileAtomic } from '../util/atomicWrite';

export interface LoadedOutline {
  outline: OutlineView;
  /** The file the outline's byte ranges point into: the trace file, or the temp copy (see above). */
  dataFile: string;
  /** A folder of our own to remove when the trace is closed (the temp copy's). */
  tempDir?: string;
  /** True when the outline was built now rather than read. */
  built: boolean;
  warnings: string[];
}

export interface LoadOptions {
  /** Where the outline of this file lives (beside a stored trace, or in the outline cache); absent: nowhere, build it in memory. */
  outlineFile?: string;
  /** The outline file is one of the outline cache's (outlineCache.ts): not finding it is no news. */
  cached?: boolean;
  onProgress?: ScanProgress;
}

/** The outline of the serialized trace `trace` (see serializeMlflowTrace) once written as `file`. */
export function outlineOfSerialized(trace: Trace, serialized: ReturnType<typeof serializeMlflowTrace>, file: { bytes: number; mtimeMs: number }): Outline {
  const builder = new OutlineBuilder();
  trace.spans.forEach((span, n) => builder.add(span, serialized.spanRanges[n]!));
  return builder.finish(trace.info, trace.artifacts, serialized.artifactsRange, file);
}

/** Writes the outline of `trace` beside the trace file just written from `serialized`. */
export async function writeOutlineOf(trace: Trace, serialized: ReturnType<typeof serializeMlflowTrace>, traceFile: string, outlineFile: string): Promise<void> {
  const stat = await fs.stat(traceFile);
  await writeFileAtomic(outlineFile, OutlineView.of(outlineOfSerialized(trace, serialized, { bytes: stat.size, mtimeMs: stat.mtimeMs })).serialize());
}

export async function loadOutline(traceFile: string, options: LoadOptions = {}): Promise<LoadedOutline> {
  const warnings: string[] = [];
  // O_NONBLOCK + fstat: a FIFO or device (a cloned repository can commit a symlink to
  // /dev/zero) is refused, never waited on or read without end.
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(traceFile, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new Error(`${traceFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error(`${traceFile}: not a regular file`);
    const file = { bytes: stats.size, mtimeMs: stats.mtimeMs };
    if (options.outlineFile) {
      const read = await readOutline(options.outlineFile, handle, file);
      if ('outline' in read) return { outline: read.outline, dataFile: traceFile, built: false, warnings };
      if (!(read.missing && options.cached)) warnings.push(`${options.outlineFile}: ${read.problem}; rebuilding it from ${path.basename(traceFile)}.`);
    }
    let outline: Outline | null;
    try {
      outline = await scanMlflowTrace(handle, file, options.onProgress);
    } catch (error) {
      throw new Error(`${traceFile}: ${(error as Error).message}`);
    }
    if (outline) {
      const scanned = OutlineView.of(outline);
      if (options.outlineFile) {
        try {
          await writeFileAtomic(options.outlineFile, scanned.serialize());
        } catch (error) {
          warnings.push(`${options.outlineFile}: could not write it (${(error as Error).message}); it will be built again next time.`);
        }
      }
      return { outline: scanned, dataFile: traceFile, built: true, warnings };
    }
  } finally {
    await handle.close();
  }
  return { ...(await normalizedCopy(traceFile)), built: true, warnings };
}

async function readOutline(outlineFile: string, trace: fs.FileHandle, file: { bytes: number; mtimeMs: number }): Promise<{ outline: OutlineView } | { problem: string; missing?: true }> {
  let text: string;
  try {
    const stats = await fs.stat(outlineFile);
    if (!stats.isFile()) return { problem: 'not a regular file' };
    text = await fs.readFile(outlineFile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { problem: 'missing (the trace was stored by an older coSTAR, or the outline was deleted)', missing: true };
    return { problem: `cannot read it (${code ?? (error as Error).message})` };
  }
  const parsed = OutlineView.parse(text, file);
  if ('problem' in parsed) return parsed;
  // The ranges must land on span objects: a cheap check of the first and the last span.
  const starts = parsed.column('byteStart');
  const ends = parsed.column('byteEnd');
  for (const row of parsed.spans > 0 ? [0, parsed.spans - 1] : []) {
    const start = starts[row]!;
    const end = ends[row]!;
    const edges = Buffer.alloc(2);
    await trace.read(edges, 0, 1, start);
    await trace.read(edges, 1, 1, end - 1);
    if (edges.toString('latin1') !== '{}') return { problem: `row ${row}: its byte range does not hold a span object` };
  }
  return { outline: parsed };
}

async function normalizedCopy(traceFile: string): Promise<{ outline: OutlineView; dataFile: string; tempDir: string }> {
  const traces = await readTraceFile(traceFile);
  const trace = traces[0];
  if (!trace) throw new Error(`${traceFile} holds no trace (expected MLflow trace JSON or OTLP JSON).`);
  const tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'costar-trace-'));
  const dataFile = path.join(tempDir, `${trace.info.traceId}.trace.json`);
  try {
    const serialized = serializeMlflowTrace(trace);
    await fs.writeFile(dataFile, serialized.text, { mode: 0o600 });
    const stat = await fs.stat(dataFile);
    return { outline: OutlineView.of(outlineOfSerialized(trace, serialized, { bytes: stat.size, mtimeMs: stat.mtimeMs })), dataFile, tempDir };
  } catch (error) {
    await fs.rm(tempDir, { recursive: true, force: true });
    throw error;
  }
}
