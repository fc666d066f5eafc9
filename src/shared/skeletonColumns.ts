/**
 * The span tree as the trace viewer's webview receives it: binary columns, one entry per row in
 * tree pre-order (every parent before its children, siblings by start time).
 *
 * Why binary: at 250,000 spans the same columns as JSON are ≈ 13 MB that rode inside the page's
 * HTML, which the editor's webview host parses and serializes again before the page could
 * parse and validate it value by value (≈ 1.5 s before the first row, and the extension host
 * blocked while it serialized the HTML for the editor). Typed arrays cross postMessage as raw
 * bytes: the extension host, the editor and the page copy them, none parses them, and checking
 * them is one loop. They are also kept small, because every byte is copied at each hop
 * (extension host → editor server → browser → webview: ≈ 35 MB/s end to end measured in
 * code-server on this project's 2-core machine): names once each with an index per row,
 * times in single precision, and no span ids (the page works in rows; the host maps rows to
 * spans). Names are UTF-8, decoded when a row first shows one.
 *
 * No `vscode` and no Node API: the worker encodes with it, both ends check with it, the page
 * reads with it.
 */

/** Strings as UTF-8 bytes; string i is bytes[offsets[i] .. offsets[i + 1]). */
export interface TextColumn {
  bytes: Uint8Array<ArrayBuffer>;
  /** One more entry than there are strings; offsets[0] is 0 and the last is bytes.length. */
  offsets: Uint32Array<ArrayBuffer>;
}

/**
 * What each row is called, as an index into the distinct names: agents repeat a handful of
 * names ("chat gpt-4o", a tool's name) over thousands of spans.
 */
export interface NameColumn {
  distinct: TextColumn;
  index: Uint32Array<ArrayBuffer>;
}

export interface SkeletonColumns {
  size: number;
  /** Row of the parent, -1 for a root; always smaller than the row itself. */
  parents: Int32Array<ArrayBuffer>;
  names: NameColumn;
  /** Index into SPAN_TYPES. */
  types: Uint8Array<ArrayBuffer>;
  /** One of STATUS. */
  status: Uint8Array<ArrayBuffer>;
  /**
   * Milliseconds from the start of the trace. Single precision is exact to a microsecond over
   * ten seconds and to a few milliseconds over ten hours: enough for a bar's position and a
   * duration's digits (the span detail shows the recorded times).
   */
  startMs: Float32Array<ArrayBuffer>;
  durMs: Float32Array<ArrayBuffer>;
}

/** The same rows as plain arrays (what the outline and indexTrace hold); span ids stay on the host. */
export interface SkeletonRows {
  ids: readonly string[];
  parents: readonly number[];
  names: readonly string[];
  types: readonly number[];
  status: readonly number[];
  startMs: readonly number[];
  durMs: readonly number[];
}

export function encodeTexts(texts: readonly string[]): TextColumn {
  const encoder = new TextEncoder();
  const offsets = new Uint32Array(texts.length + 1);
  // A UTF-16 unit never needs more than 3 UTF-8 bytes: one allocation, trimmed at the end.
  let capacity = 0;
  for (const text of texts) capacity += text.length * 3;
  const bytes = new Uint8Array(capacity);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    at += encoder.encodeInto(texts[i]!, bytes.subarray(at)).written;
    offsets[i + 1] = at;
  }
  // A copy of exactly the used bytes: its own ArrayBuffer, so sending it sends nothing more.
  return { bytes: bytes.slice(0, at), offsets };
}

export function encodeNames(names: readonly string[]): NameColumn {
  const seen = new Map<string, number>();
  const distinct: string[] = [];
  const index = new Uint32Array(names.length);
  for (let row = 0; row < names.length; row++) {
    const name = names[row]!;
    let at = seen.get(name);
    if (at === undefined) {
      at = distinct.push(name) - 1;
      seen.set(name, at);
    }
    index[row] = at;
  }
  return { distinct: encodeTexts(distinct), index };
}

export function encodeSkeleton(rows: Omit<SkeletonRows, 'ids'>): SkeletonColumns {
  return {
    size: rows.parents.length,
    parents: Int32Array.from(rows.parents),
    names: encodeNames(rows.names),
    types: Uint8Array.from(rows.types),
    status: Uint8Array.from(rows.status),
    startMs: Float32Array.from(rows.startMs),
    durMs: Float32Array.from(rows.durMs),
  };
}

/** The buffers to transfer (not copy) when posting the columns to another thread. */
export function skeletonBuffers(s: SkeletonColumns): ArrayBuffer[] {
  return [s.parents, s.names.distinct.bytes, s.names.distinct.offsets, s.names.index, s.types, s.status, s.startMs, s.durMs].map((a) => a.buffer);
}

/** The strings of a column, decoded once each when first asked for. */
class Texts {
  private static readonly decoder = new TextDecoder();
  private readonly decoded: (string | undefined)[] = [];

  constructor(private readonly column: TextColumn) {}

  at(i: number): string {
    const { bytes, offsets } = this.column;
    return (this.decoded[i] ??= Texts.decoder.decode(bytes.subarray(offsets[i], offsets[i + 1])));
  }
}

/** Each row's name. */
export class Names {
  private readonly distinct: Texts;

  constructor(private readonly column: NameColumn) {
    this.distinct = new Texts(column.distinct);
  }

  at(row: number): string {
    return this.distinct.at(this.column.index[row]!);
  }
}

/**
 * What is wrong with columns that arrived from elsewhere, or undefined: every column has one
 * entry per row, parents point to earlier rows, types, statuses and names are in range, text
 * offsets rise within their bytes. The tree code relies on all of it without looking again.
 */
export function skeletonProblem(s: SkeletonColumns, typeCount: number, statusCount: number): string | undefined {
  const n = s.size;
  if (!Number.isInteger(n) || n < 0) return `size ${n} is not a row count`;
  for (const [name, column] of [['parents', s.parents], ['names', s.names.index], ['types', s.types], ['status', s.status], ['startMs', s.startMs], ['durMs', s.durMs]] as const) {
    if (column.length !== n) return `${name} has ${column.length} entries for ${n} rows`;
  }
  const { offsets, bytes } = s.names.distinct;
  const distinct = offsets.length - 1;
  if (distinct < 0 || offsets[0] !== 0 || offsets[distinct] !== bytes.length) return 'names: the offsets do not span the bytes';
  for (let i = 0; i < distinct; i++) if (offsets[i + 1]! < offsets[i]!) return `names: offset ${i + 1} goes backwards`;
  for (let row = 0; row < n; row++) {
    const parent = s.parents[row]!;
    if (parent < -1 || parent >= row) return `row ${row}: parent ${parent} is not an earlier row`;
    if (s.names.index[row]! >= distinct) return `row ${row}: name ${s.names.index[row]} is not one of the ${distinct} names`;
    if (s.types[row]! >= typeCount) return `row ${row}: span type ${s.types[row]} is unknown`;
    if (s.status[row]! >= statusCount) return `row ${row}: status ${s.status[row]} is unknown`;
  }
  return undefined;
}
