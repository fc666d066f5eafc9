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
import { KNOWN_SPAN_TYPES, SPAN_STATUS } from './model';
import { createHash } from 'node:crypto';
import { treeOrder } from './treeOrder';

/** Bump when the shape changes: an outline of another version is rebuilt, never read. */
export const OUTLINE_VERSION = 2;


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

/** Rows of the spans a scan has read so far (see OutlineBuilder.preview). */
export type OutlinePreview = Pick<Outline, 'parents' | 'names' | 'types' | 'status' | 'startMs' | 'durMs'>;

const MODEL_TYPES = new Set(['LLM', 'CHAT_MODEL']);

/** The fields of a span an outline is made of (a whole Span has them too). */
export type OutlineSpan = Pick<Span, 'spanId' | 'parentId' | 'name' | 'spanType' | 'startTimeUnixNano' | 'endTimeUnixNano' | 'tokens'> & { status: Pick<Span['status'], 'code'> };

/**
 * Collects spans in file order, with their byte ranges, then orders them into an outline. Only
 * the outline's values are kept, in columns: no object per span lives until finish (a scan adds
 * hundreds of thousands), and the totals are summed as spans come.
 */
export class OutlineBuilder {
  private readonly ids: string[] = [];
  private readonly parentIds: (string | null)[] = [];
  private readonly names: string[] = [];
  private readonly types: number[] = [];
  private readonly status: number[] = [];
  private readonly startNs: bigint[] = [];
  private readonly durMs: number[] = [];
  private readonly byteStart: number[] = [];
  private readonly byteEnd: number[] = [];
  private readonly totals: OutlineTotals = { spans: 0, errors: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, modelCalls: 0, toolCalls: 0, toolFailures: 0, extentMs: 0 };
  private origin: bigint | undefined;
  private last: bigint | undefined;

  add(span: OutlineSpan, range: [number, number]): void {
    const startNs = BigInt(span.startTimeUnixNano);
    const endNs = BigInt(span.endTimeUnixNano);
    if (this.origin === undefined || startNs < this.origin) this.origin = startNs;
    if (this.last === undefined || endNs > this.last) this.last = endNs;
    const totals = this.totals;
    totals.spans++;
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
    this.ids.push(span.spanId);
    this.parentIds.push(span.parentId);
    this.names.push(span.name);
    this.types.push(spanTypeIndex(span.spanType));
    this.status.push(SPAN_STATUS[span.status.code] ?? SPAN_STATUS.UNSET);
    this.startNs.push(startNs);
    this.durMs.push(Math.max(0, Number(endNs - startNs) / 1e6));
    this.byteStart.push(range[0]);
    this.byteEnd.push(range[1]);
  }

  /** Spans added so far. */
  get size(): number {
    return this.ids.length;
  }

  /**
   * The spans added so far as the viewer's rows, for a preview while a scan goes on: their tree
   * order, where a span whose parent comes later in the file is a root for now.
   */
  preview(): OutlinePreview {
    const originNs = this.origin ?? 0n;
    const { ids, parentIds, startNs } = this;
    const { order, parents } = treeOrder(ids.map((spanId, i) => ({ spanId, parentId: parentIds[i]!, startNs: startNs[i]! })));
    const column = <T>(values: T[]): T[] => order.map((index) => values[index]!);
    return {
      parents, names: column(this.names), types: column(this.types), status: column(this.status),
      startMs: order.map((index) => Number(startNs[index]! - originNs) / 1e6), durMs: column(this.durMs),
    };
  }

  finish(info: TraceInfo, artifacts: readonly Artifact[], artifactsRange: [number, number] | null, file: { bytes: number; mtimeMs: number }): Outline {
    const originNs = this.origin ?? 0n;
    const totals: OutlineTotals = { ...this.totals, extentMs: this.last !== undefined ? Number(this.last - originNs) / 1e6 : 0 };
    const { ids, parentIds, startNs } = this;
    const { order, parents } = treeOrder(ids.map((spanId, i) => ({ spanId, parentId: parentIds[i]!, startNs: startNs[i]! })));
    const column = <T>(values: T[]): T[] => order.map((index) => values[index]!);
    return {
      version: OUTLINE_VERSION, file, info, originNs: originNs.toString(), totals,
      artifacts: artifacts.map((a) => ({ path: a.path, size: a.size, change: a.change, hasText: a.text !== undefined })),
      artifactsRange,
      ids: column(ids), parents, names: column(this.names), types: column(this.types), status: column(this.status),
      startMs: order.map((index) => Number(startNs[index]! - originNs) / 1e6),
      durMs: column(this.durMs), byteStart: column(this.byteStart), byteEnd: column(this.byteEnd),
    };
  }
}

/** `.costar/traces/<id>.trace.json` → `.costar/traces/<id>.outline.json`. */
export function outlinePathOf(traceFile: string): string {
  return traceFile.replace(/(\.trace)?\.json$/, '') + '.outline.json';
}

const COLUMNS = ['ids', 'parents', 'names', 'types', 'status', 'startMs', 'durMs', 'byteStart', 'byteEnd'] as const;
export type OutlineColumn = (typeof COLUMNS)[number];
type OutlineHead = Omit<Outline, OutlineColumn>;

/**
 * An outline as the viewer's worker uses it. The stored form is one header line (JSON, with the
 * sha256 of every other line) and one JSON line per column: a column is parsed only when
 * something needs its values (opening a stored trace parses parents and byte ranges first).
 */
export class OutlineView {
  private constructor(
    readonly head: OutlineHead,
    readonly spans: number,
    private readonly lines: Partial<Record<OutlineColumn, string>>,
    private readonly values: Partial<Record<OutlineColumn, unknown[]>>,
  ) {}

  static of(outline: Outline): OutlineView {
    const { ids, parents, names, types, status, startMs, durMs, byteStart, byteEnd, ...head } = outline;
    return new OutlineView(head, ids.length, {}, { ids, parents, names, types, status, startMs, durMs, byteStart, byteEnd });
  }

  private line(column: OutlineColumn): string {
    return (this.lines[column] ??= JSON.stringify(this.values[column]));
  }

  column<T extends string | number = number>(column: OutlineColumn): T[] {
    return (this.values[column] ??= JSON.parse(this.lines[column]!) as unknown[]) as T[];
  }

  /** Every column parsed: the outline as it was built. */
  toOutline(): Outline {
    const columns = Object.fromEntries(COLUMNS.map((c) => [c, this.column<string | number>(c)])) as unknown as Pick<Outline, OutlineColumn>;
    return { ...this.head, ...columns };
  }

  serialize(): string {
    const lines = COLUMNS.map((c) => this.line(c));
    const sha256 = Object.fromEntries(COLUMNS.map((c, i) => [c, digest(lines[i]!)]));
    return [JSON.stringify({ ...this.head, spans: this.spans, sha256 }), ...lines].join('\n') + '\n';
  }

  /**
   * The outline in `text` when it is one of this version, undamaged, describing exactly the file
   * `file` (size and mtime); otherwise why not, in words for the warning.
   */
  static parse(text: string, file: { bytes: number; mtimeMs: number }): OutlineView | { problem: string } {
    const lines = text.split('\n');
    let head: OutlineHead & { spans?: unknown; sha256?: Record<string, unknown> };
    try {
      head = JSON.parse(lines[0]!) as typeof head;
    } catch (error) {
      return { problem: `not valid JSON (${(error as Error).message})` };
    }
    if (typeof head !== 'object' || head === null) return { problem: 'not an outline' };
    if (head.version !== OUTLINE_VERSION) return { problem: `version ${JSON.stringify(head.version)}, expected ${OUTLINE_VERSION}` };
    if (!head.file || head.file.bytes !== file.bytes || head.file.mtimeMs !== file.mtimeMs) return { problem: 'it describes another version of the trace file (size or modification time differ)' };
    if (lines.length !== COLUMNS.length + 2 || lines.at(-1) !== '') return { problem: `${lines.length - 1} lines, expected ${COLUMNS.length + 1} (cut short?)` };
    const n = head.spans;
    if (typeof n !== 'number' || !head.sha256 || !head.info || typeof head.info.traceId !== 'string' || !head.totals || !Array.isArray(head.artifacts) || typeof head.originNs !== 'string') return { problem: 'its header is incomplete' };
    const columnLines: Partial<Record<OutlineColumn, string>> = {};
    for (const [i, column] of COLUMNS.entries()) {
      const line = lines[i + 1]!;
      if (digest(line) !== head.sha256[column]) return { problem: `its ${column} column is damaged (checksum differs)` };
      columnLines[column] = line;
    }
    const { spans: _spans, sha256: _sha, ...rest } = head;
    const view = new OutlineView(rest, n, columnLines, {});
    // What the worker relies on without looking again: parents point backwards, ranges lie in the file.
    const parents = view.column('parents');
    const starts = view.column('byteStart');
    const ends = view.column('byteEnd');
    if (parents.length !== n || starts.length !== n || ends.length !== n) return { problem: 'its columns have different lengths' };
    for (let row = 0; row < n; row++) {
      const parent = parents[row]!;
      const start = starts[row]!;
      const end = ends[row]!;
      if (!(Number.isInteger(parent) && parent < row && parent >= -1)) return { problem: `row ${row}: parent ${parent} is not an earlier row` };
      if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= file.bytes)) return { problem: `row ${row}: byte range ${start}–${end} is outside the file` };
    }
    const range = head.artifactsRange;
    if (range !== null && !(Array.isArray(range) && range[0]! >= 0 && range[0]! < range[1]! && range[1]! <= file.bytes)) return { problem: 'the artifacts range is outside the file' };
    return view;
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
