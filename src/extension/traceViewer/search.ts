/**
 * Text and regex search over span names, inputs, outputs, attributes, status messages and
 * events. It runs in the trace's worker thread, streaming through the trace file by the
 * outline's byte ranges: each span is parsed, its searchable text built, tested and dropped, so
 * no text (nor a lowercased copy) of the whole trace is ever held, and matches are reported a
 * batch at a time as they are found. A search stops as soon as a newer query supersedes it.
 */
import { promises as fs } from 'node:fs';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import type { Span } from '../../core/trace/model';
import { readMlflowSpan } from '../../core/trace/mlflow';
import { parseJsonKeepingNanos } from '../../core/trace/nanos';
import { compileRegex } from '../../core/util/safeRegex';

export const MAX_SEARCH_RESULTS = 10_000;
/** Bytes of spans read, tested and reported per batch. */
const BATCH_BYTES = 1024 * 1024;

export interface SearchQuery {
  query: string;
  regex: boolean;
  caseSensitive: boolean;
}

/** A test of one span, or why the query cannot run (an invalid regular expression): say what to fix. */
export function spanMatcher(q: SearchQuery): ((span: Span) => boolean) | { error: string } {
  if (q.regex) {
    // The user's own pattern, but a catastrophic one must not freeze anything (RE2: linear time).
    const compiled = compileRegex(q.query, q.caseSensitive ? '' : 'i');
    if (!compiled.ok) return { error: `Invalid regular expression: ${compiled.reason}` };
    return (span) => compiled.regex.test(searchableText(span));
  }
  if (q.caseSensitive) return (span) => searchableText(span).includes(q.query);
  const needle = q.query.toLowerCase();
  // One span's text at a time: lowercased, tested, dropped.
  return (span) => searchableText(span).toLowerCase().includes(needle);
}

/**
 * Bytes that must appear in a span's raw JSON for a plain-text query to match it, when that is
 * certain: the query holds only characters no JSON writer escapes (ASCII letters, digits, space,
 * some punctuation; not quotes, backslashes, `<>&` which Go escapes, `,:` whose spacing differs
 * between writers, nor non-ASCII which Python's json.dumps escapes). Only spans whose bytes hold
 * it are parsed and tested exactly; for other queries every span is.
 */
export function rawNeedle(q: SearchQuery): { bytes: Buffer; lower: boolean } | undefined {
  if (q.regex || !/^[A-Za-z0-9 _\-.!?@#$%^*()+=[\]{}|~'/;]+$/.test(q.query)) return undefined;
  return { bytes: Buffer.from(q.caseSensitive ? q.query : q.query.toLowerCase(), 'latin1'), lower: !q.caseSensitive };
}

export interface SpanRanges {
  /** Rows sorted by byteStart: the order the file is read in. */
  fileOrder: Int32Array;
  byteStart: readonly number[];
  byteEnd: readonly number[];
}

export interface SearchSink {
  /** Rows that matched in the latest batch (file order); called only when there are some. */
  rows(rows: number[]): void;
  /** True once a newer query (or closing the viewer) superseded this search. */
  cancelled(): boolean;
}

/** Streams through `file`; resolves with whether the results were cut at MAX_SEARCH_RESULTS (undefined: cancelled). */
export async function searchFile(file: string, ranges: SpanRanges, matches: (span: Span) => boolean, sink: SearchSink, needle?: ReturnType<typeof rawNeedle>, batchBytes = BATCH_BYTES): Promise<{ truncated: boolean } | undefined> {
  const handle = await fs.open(file, 'r');
  try {
    const { fileOrder, byteStart, byteEnd } = ranges;
    let found = 0;
    let buffer = Buffer.alloc(0);
    for (let i = 0; i < fileOrder.length;) {
      // Let a newer query's message in, then stop if it superseded this one.
      await yieldToEvents();
      if (sink.cancelled()) return undefined;
      const first = i;
      const from = byteStart[fileOrder[i]!]!;
      let to = byteEnd[fileOrder[i]!]!;
      i++;
      while (i < fileOrder.length && byteEnd[fileOrder[i]!]! - from <= batchBytes) to = Math.max(to, byteEnd[fileOrder[i++]!]!);
      if (buffer.length < to - from) buffer = Buffer.alloc(to - from);
      await handle.read(buffer, 0, to - from, from);
      const rows: number[] = [];
      for (const k of candidates(first, i, from, to - from)) {
        const row = fileOrder[k]!;
        const text = buffer.toString('utf8', byteStart[row]! - from, byteEnd[row]! - from);
        const { span } = readMlflowSpan(parseJsonKeepingNanos(text), `row ${row}`);
        if (!matches(span)) continue;
        if (found === MAX_SEARCH_RESULTS) {
          if (rows.length) sink.rows(rows);
          return { truncated: true };
        }
        found++;
        rows.push(row);
      }
      if (rows.length) sink.rows(rows);
    }
    return { truncated: false };

    /** Positions in fileOrder (first..end) of the spans of this batch that can match. */
    function* candidates(first: number, end: number, from: number, length: number): Generator<number> {
      if (!needle) {
        for (let k = first; k < end; k++) yield k;
        return;
      }
      // A lowercased copy of this batch only (≤ 1 MB), never of the trace; latin1 keeps offsets.
      const hay = needle.lower ? Buffer.from(buffer.toString('latin1', 0, length).toLowerCase(), 'latin1') : buffer.subarray(0, length);
      let k = first;
      for (let at = hay.indexOf(needle.bytes); at >= 0 && k < end; at = hay.indexOf(needle.bytes, at + 1)) {
        while (k < end && byteEnd[fileOrder[k]!]! - from <= at) k++;
        if (k === end) return;
        const row = fileOrder[k]!;
        if (byteStart[row]! - from > at || at + needle.bytes.length > byteEnd[row]! - from) continue;
        yield k++;
        if (k < end) at = byteStart[fileOrder[k]!]! - from - 1;
      }
    }
  } finally {
    await handle.close();
  }
}

/** Name, tool name, status message, inputs, outputs, attributes, then events, one per line. */
export function searchableText(span: Span): string {
  const parts = [span.name];
  if (span.toolName) parts.push(span.toolName);
  if (span.status.message) parts.push(span.status.message);
  if (span.inputs !== undefined) parts.push(asText(span.inputs));
  if (span.outputs !== undefined) parts.push(asText(span.outputs));
  for (const [key, value] of Object.entries(span.attributes)) parts.push(`${key}: ${asText(value)}`);
  for (const event of span.events) parts.push(event.name, asText(event.attributes));
  return parts.join('\n');
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}
