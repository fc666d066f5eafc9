/**
 * The outline of a stored trace: what the trace viewer needs to show the tree and find a span
 * in the file, without parsing the file. Tree structure (rows in tree pre-order with parent
 * rows), span ids, names, types, status, timings, per-trace totals for the metrics header, the
 * artifact list, and the byte range of every span (and of the artifacts) in the trace file.
 *
 * It is written beside a stored trace (`<id>.outline.json` next to `<id>.trace.json`) and names
 * the size and mtime of the file it describes; an outline that does not match its file (stale,
 * damaged, from another version) is never trusted, only rebuilt (see outlineLoad.ts).
 */
import type { Artifact, Span, TraceInfo } from './model';
import { KNOWN_SPAN_TYPES } from './model';
import { treeOrder } from './treeOrder';

/** Bump when the shape changes: an outline of another version is rebuilt, never read. */
export const OUTLINE_VERSION = 1;

/** Status codes as small numbers (the viewer's skeleton uses the same). */
export const SPAN_STATUS = { UNSET: 0, OK: 1, ERROR: 2 } as const;

const TYPE_INDEX = new Map<string, number>(KNOWN_SPAN_TYPES.map((t, i) => [t, i]));

/** Index into KNOWN_SPAN_TYPES; a type outside the list is 0 (UNKNOWN) here and kept as written in the span. */
export function spanTypeIndex(type: string): number {
  return TYPE_INDEX.get(type) ?? 0;
}

export interface OutlineTotals {
  spans: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  modelCalls: number;
  toolCalls: number;
  toolFailures: number;
  /** Last span end minus first span start (the latency of a trace without a recorded duration). */
  extentMs: number;
}

export interface OutlineArtifact {
  path: string;
  size: number;
  change: Artifact['change'];
  hasText: boolean;
}

export interface Outline {
  version: typeof OUTLINE_VERSION;
  /** The trace file as it was when the outline was made; any difference means stale. */
  file: { bytes: number; mtimeMs: number };
  info: TraceInfo;
  /** The earliest span start, nanoseconds since the epoch (startMs is relative to it). */
  originNs: string;
  totals: OutlineTotals;
  artifacts: OutlineArtifact[];
  /** Byte range of the artifacts JSON array in the file (null: the file has none). */
  artifactsRange: [number, number] | null;
  // One entry per row, rows in tree pre-order.
  ids: string[];
  parents: number[];
  names: string[];
  /** Index into KNOWN_SPAN_TYPES. */
  types: number[];
  /** One of SPAN_STATUS. */
  status: number[];
  startMs: number[];
  durMs: number[];
  /** Byte range [byteStart, byteEnd) of the span's JSON object in the trace file. */
  byteStart: number[];
  byteEnd: number[];
}

const MODEL_TYPES = new Set(['LLM', 'CHAT_MODEL']);

/** Collects spans in file order, with their byte ranges, then orders them into an outline. */
export class OutlineBuilder {
  private readonly spans: { span: Span; startNs: bigint; endNs: bigint; range: [number, number] }[] = [];

  add(span: Span, range: [number, number]): void {
    // Only the outline's fields are kept: a scan must not hold every payload it parsed.
    const slim: Span = {
      spanId: span.spanId, parentId: span.parentId, name: span.name, spanType: span.spanType,
      startTimeUnixNano: span.startTimeUnixNano, endTimeUnixNano: span.endTimeUnixNano,
      status: { code: span.status.code }, attributes: {}, events: [],
      ...(span.tokens ? { tokens: span.tokens } : {}),
    };
    this.spans.push({ span: slim, startNs: BigInt(span.startTimeUnixNano), endNs: BigInt(span.endTimeUnixNano), range });
  }

  finish(info: TraceInfo, artifacts: readonly Artifact[], artifactsRange: [number, number] | null, file: { bytes: number; mtimeMs: number }): Outline {
    const items = this.spans;
    let origin: bigint | undefined;
    let last: bigint | undefined;
    const totals: OutlineTotals = { spans: items.length, errors: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, modelCalls: 0, toolCalls: 0, toolFailures: 0, extentMs: 0 };
    for (const { span, startNs, endNs } of items) {
      if (origin === undefined || startNs < origin) origin = startNs;
      if (last === undefined || endNs > last) last = endNs;
      const failed = span.status.code === 'ERROR';
      if (failed) totals.errors++;
      if (MODEL_TYPES.has(span.spanType)) totals.modelCalls++;
      if (span.spanType === 'TOOL') {
        totals.toolCalls++;
        if (failed) totals.toolFailures++;
      }
      if (span.tokens) {
        totals.inputTokens += span.tokens.input;
        totals.outputTokens += span.tokens.output;
        totals.totalTokens += span.tokens.total;
      }
    }
    const originNs = origin ?? 0n;
    totals.extentMs = last !== undefined ? Number(last - originNs) / 1e6 : 0;
    const { order, parents } = treeOrder(items.map(({ span, startNs }) => ({ spanId: span.spanId, parentId: span.parentId, startNs })));
    const outline: Outline = {
      version: OUTLINE_VERSION, file, info, originNs: originNs.toString(), totals,
      artifacts: artifacts.map((a) => ({ path: a.path, size: a.size, change: a.change, hasText: a.text !== undefined })),
      artifactsRange,
      ids: [], parents, names: [], types: [], status: [], startMs: [], durMs: [], byteStart: [], byteEnd: [],
    };
    for (const index of order) {
      const { span, startNs, endNs, range } = items[index]!;
      outline.ids.push(span.spanId);
      outline.names.push(span.name);
      outline.types.push(spanTypeIndex(span.spanType));
      outline.status.push(SPAN_STATUS[span.status.code] ?? SPAN_STATUS.UNSET);
      outline.startMs.push(Number(startNs - originNs) / 1e6);
      outline.durMs.push(Math.max(0, Number(endNs - startNs) / 1e6));
      outline.byteStart.push(range[0]);
      outline.byteEnd.push(range[1]);
    }
    return outline;
  }
}

/** `.costar/traces/<id>.trace.json` → `.costar/traces/<id>.outline.json`. */
export function outlinePathOf(traceFile: string): string {
  return traceFile.replace(/(\.trace)?\.json$/, '') + '.outline.json';
}

export function serializeOutline(outline: Outline): string {
  return JSON.stringify(outline);
}

/**
 * The outline in `text` when it is one of this version describing exactly the file `file`
 * (size and mtime); otherwise why not, in words for the warning.
 */
export function parseOutline(text: string, file: { bytes: number; mtimeMs: number }): Outline | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `not valid JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null) return { problem: 'not an outline object' };
  const o = value as Partial<Outline>;
  if (o.version !== OUTLINE_VERSION) return { problem: `version ${JSON.stringify(o.version)}, expected ${OUTLINE_VERSION}` };
  if (!o.file || o.file.bytes !== file.bytes || o.file.mtimeMs !== file.mtimeMs) return { problem: 'it describes another version of the trace file (size or modification time differ)' };
  const columns = [o.ids, o.parents, o.names, o.types, o.status, o.startMs, o.durMs, o.byteStart, o.byteEnd];
  if (!columns.every(Array.isArray)) return { problem: 'a column is missing' };
  const n = o.ids!.length;
  if (!columns.every((c) => c!.length === n)) return { problem: 'its columns have different lengths' };
  if (!o.info || typeof o.info.traceId !== 'string' || !o.totals || !Array.isArray(o.artifacts) || typeof o.originNs !== 'string') return { problem: 'info, totals, artifacts or origin missing' };
  for (let row = 0; row < n; row++) {
    const parent = o.parents![row]!;
    const start = o.byteStart![row]!;
    const end = o.byteEnd![row]!;
    if (!(Number.isInteger(parent) && parent < row && parent >= -1)) return { problem: `row ${row}: parent ${parent} is not an earlier row` };
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= file.bytes)) return { problem: `row ${row}: byte range ${start}–${end} is outside the file` };
  }
  const range = o.artifactsRange;
  if (range !== null && !(Array.isArray(range) && range[0]! >= 0 && range[0]! < range[1]! && range[1]! <= file.bytes)) return { problem: 'the artifacts range is outside the file' };
  return o as Outline;
}
