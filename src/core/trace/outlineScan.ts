/**
 * Builds the outline of an MLflow trace JSON file in one streaming pass, never holding the
 * file: a small structural scanner finds the byte range of `info`, of every element of
 * `data.spans` and of `costar.artifacts`; each span is then parsed alone by the one MLflow span
 * reader (mlflow.ts). Streaming JSON tokenizers from npm emit a token object for every string
 * and number, several times slower over a 500 MB file than looking only at the bytes that
 * matter here: quotes, backslashes and brackets (UTF-8 continuation bytes are never ASCII, so
 * scanning bytes is exact).
 *
 * Returns null when the file is not one MLflow trace object (OTLP JSON, JSON Lines, an array of
 * documents, protobuf, a truncated file): the caller then reads it with the full reader, which
 * also says what is wrong with a broken file.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Artifact } from './model';
import { readMlflowArtifacts, readMlflowInfo, readMlflowSpan } from './mlflow';
import { LONG_INTEGER_DIGITS, parseJsonKeepingNanos } from './nanos';
import { OutlineBuilder, type Outline } from './outline';

const CHUNK_BYTES = 4 * 1024 * 1024;

// What a value is, by where it sits in the document.
const ROOT = 0, INFO = 1, DATA = 2, SPANS = 3, SPAN = 4, COSTAR = 5, ARTIFACTS = 6, SKIP = 7;
// What the innermost open container expects next.
const KEY = 0, COLON = 1, VALUE = 2, COMMA = 3;

const QUOTE = 0x22, BACKSLASH = 0x5c, LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d, COMMA_BYTE = 0x2c, COLON_BYTE = 0x3a;

class Unsupported extends Error {}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function childRole(parent: number, key: string | null): number {
  if (parent === ROOT) return key === 'info' ? INFO : key === 'data' ? DATA : key === 'costar' ? COSTAR : SKIP;
  if (parent === DATA) return key === 'spans' ? SPANS : SKIP;
  if (parent === COSTAR) return key === 'artifacts' ? ARTIFACTS : SKIP;
  if (parent === SPANS) return SPAN;
  return SKIP;
}

/** Where the scan of a value captured or skipped whole stands, carried from chunk to chunk. */
interface ValueScan {
  /** Brackets open. */
  depth: number;
  inString: boolean;
  digitRun: number;
  /** Whether a run of digits outside strings was long enough to be a time JSON.parse would round (nanos.ts). */
  longIntegers: boolean;
}

/**
 * The index just past the end of the value being scanned from `i`, or -1 when it goes on past
 * `len` (`state` then says where the next chunk starts). Locals in a function of its own: this
 * loop sees every byte outside strings of the whole file.
 */
function valueEnd(bytes: Buffer, i: number, len: number, state: ValueScan): number {
  let { depth, inString, digitRun, longIntegers } = state;
  let end = -1;
  while (i < len) {
    if (inString) {
      const quote = bytes.indexOf(QUOTE, i);
      if (quote === -1) break;
      i = quote + 1;
      if (!escapedAt(bytes, quote)) inString = false;
      continue;
    }
    const c = bytes[i++]!;
    if (c >= 0x30 && c <= 0x39) {
      if (++digitRun >= LONG_INTEGER_DIGITS) longIntegers = true;
      continue;
    }
    digitRun = 0;
    if (c === QUOTE) inString = true;
    else if (c === LBRACE || c === LBRACKET) depth++;
    else if ((c === RBRACE || c === RBRACKET) && --depth === 0) {
      end = i;
      break;
    }
  }
  state.depth = depth;
  state.inString = inString;
  state.digitRun = digitRun;
  state.longIntegers = longIntegers;
  return end;
}

/**
 * Whether the quote at `at` is escaped: a string ends at the first quote not after an odd run of
 * backslashes, so strings are jumped over quote to quote and other escapes (\n, \\) never looked at.
 * (The run is always in `bytes`: the scan keeps the bytes a run may need, see scanMlflowTrace.)
 */
function escapedAt(bytes: Buffer, at: number): boolean {
  let run = 0;
  while (at - run - 1 >= 0 && bytes[at - run - 1] === BACKSLASH) run++;
  return run % 2 === 1;
}

export interface ScanProgress {
  /** `scanned`: what was read so far (its size and a preview of its rows). */
  (bytesRead: number, totalBytes: number, scanned: Pick<OutlineBuilder, 'size' | 'preview'>): void;
}

/** The outline of the MLflow trace in `handle` (a regular file of `file.bytes`), or null (see above). */
export async function scanMlflowTrace(handle: FileHandle, file: { bytes: number; mtimeMs: number }, onProgress?: ScanProgress, chunkBytes = CHUNK_BYTES): Promise<Outline | null> {
  const builder = new OutlineBuilder();
  const spanTraceIds: (string | null)[] = [];
  let infoJson: unknown;
  let artifacts: Artifact[] = [];
  let artifactsRange: [number, number] | null = null;
  let spansSeen = false;

  // Open containers outside captured values: their roles and what each expects next.
  const roles: number[] = [];
  const expects: number[] = [];
  let pendingKey: string | null = null;
  let rootDone = false;
  // Inside a value that is captured or skipped whole: its role, start and scan state.
  let valueRole = -1;
  let valueStart = 0;
  const value: ValueScan = { depth: 0, inString: false, digitRun: 0, longIntegers: false };
  // Inside a string: is it a key (whose text is needed), where it started.
  let inString = false;
  let stringIsKey = false;
  let stringStart = 0;

  // The bytes in hand: `kept` carried over from the last read (see below), then the fresh ones;
  // buf[0] is the file's byte `base`. Read into in place: no copy of every chunk.
  let buf = Buffer.alloc(chunkBytes);
  let kept = 0;
  let base = 0;

  const emit = (role: number, start: number, end: number) => {
    const slice = buf.toString('utf8', start - base, end - base);
    if (role === SPAN) {
      const where = `data.spans[${spanTraceIds.length}]`;
      let json: unknown;
      try {
        json = parseJsonKeepingNanos(slice, value.longIntegers);
      } catch (error) {
        throw new Error(`${where}: not valid JSON (${(error as Error).message})`);
      }
      const { traceId, span } = readMlflowSpan(json, where, 'outline');
      spanTraceIds.push(traceId);
      builder.add(span, [start, end]);
    } else if (role === INFO) {
      infoJson = parseJsonKeepingNanos(slice, value.longIntegers);
    } else if (role === ARTIFACTS) {
      artifacts = readMlflowArtifacts({ artifacts: JSON.parse(slice) });
      artifactsRange = [start, end];
    }
  };

  const afterValue = () => {
    if (expects.length > 0) expects[expects.length - 1] = COMMA;
  };

  const startContainer = (c: number, at: number) => {
    const parent = roles.length === 0 ? -1 : roles[roles.length - 1]!;
    const role = parent === -1 ? ROOT : childRole(parent, pendingKey);
    pendingKey = null;
    const isObject = c === LBRACE;
    const wantObject = role === ROOT || role === INFO || role === DATA || role === COSTAR || role === SPAN;
    const wantArray = role === SPANS || role === ARTIFACTS;
    if ((wantObject && !isObject) || (wantArray && isObject)) throw new Unsupported();
    if (role === SPANS) spansSeen = true;
    if (role === INFO || role === SPAN || role === ARTIFACTS || role === SKIP) {
      valueRole = role;
      valueStart = at;
      Object.assign(value, { depth: 1, inString: false, digitRun: 0, longIntegers: false });
    } else {
      roles.push(role);
      expects.push(isObject ? KEY : VALUE);
    }
  };

  let position = 0;
  for (;;) {
    // A value longer than a chunk grows the buffer (doubling, so a long value is not copied once per chunk).
    if (buf.length - kept < chunkBytes) {
      const bigger = Buffer.alloc(Math.max(2 * buf.length, kept + chunkBytes));
      buf.copy(bigger, 0, 0, kept);
      buf = bigger;
    }
    const { bytesRead } = await handle.read(buf, kept, chunkBytes, position);
    if (bytesRead === 0) break;
    let i = kept;
    if (position === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
    position += bytesRead;
    const len = kept + bytesRead;
    const bytes = buf.subarray(0, len);
    try {
      while (i < len) {
        if (valueRole >= 0) {
          const end = valueEnd(bytes, i, len, value);
          if (end < 0) {
            i = len;
            continue;
          }
          const role = valueRole;
          valueRole = -1;
          if (role !== SKIP) emit(role, valueStart, base + end);
          afterValue();
          i = end;
          continue;
        }
        if (inString) {
          const quote = bytes.indexOf(QUOTE, i);
          if (quote === -1) {
            i = len;
            continue;
          }
          i = quote + 1;
          if (escapedAt(bytes, quote)) continue;
          inString = false;
          if (stringIsKey) pendingKey = JSON.parse(bytes.subarray(stringStart - base, i).toString('utf8')) as string;
          else afterValue();
          continue;
        }
        const c = bytes[i]!;
        if (isSpace(c)) {
          i++;
          continue;
        }
        if (rootDone) throw new Unsupported(); // more after the document: JSON Lines or garbage
        const top = expects.length - 1;
        if (c === LBRACE || c === LBRACKET) {
          if (top >= 0 && expects[top] !== VALUE) throw new Unsupported();
          startContainer(c, base + i);
        } else if (c === RBRACE || c === RBRACKET) {
          if (top < 0) throw new Unsupported();
          roles.pop();
          expects.pop();
          if (roles.length === 0) rootDone = true;
          else afterValue();
        } else if (c === COMMA_BYTE) {
          if (top < 0 || expects[top] !== COMMA) throw new Unsupported();
          expects[top] = roles[top] === SPANS ? VALUE : KEY;
        } else if (c === COLON_BYTE) {
          if (top < 0 || expects[top] !== COLON) throw new Unsupported();
          expects[top] = VALUE;
        } else if (c === QUOTE) {
          if (top < 0) throw new Unsupported();
          inString = true;
          stringStart = base + i;
          if (expects[top] === KEY) {
            stringIsKey = true;
            expects[top] = COLON;
          } else {
            // A string where a container is wanted (e.g. "data": "x") is not the shape we read.
            if (childRole(roles[top]!, pendingKey) !== SKIP) throw new Unsupported();
            pendingKey = null;
            stringIsKey = false;
          }
        } else {
          // A number, true, false or null: only ever skipped.
          if (top < 0) throw new Unsupported();
          if (expects[top] === VALUE) {
            if (childRole(roles[top]!, pendingKey) !== SKIP) throw new Unsupported();
            pendingKey = null;
            expects[top] = COMMA;
          } else if (expects[top] !== COMMA) throw new Unsupported();
        }
        i++;
      }
    } catch (error) {
      if (error instanceof Unsupported) return null;
      throw error;
    }
    // Keep only the bytes still needed: an open captured value or key, or else, inside a string,
    // its trailing backslashes (whether the next quote is escaped depends on their number).
    let keep = base + len;
    if (valueRole >= 0 && valueRole !== SKIP) keep = valueStart;
    else if (inString && stringIsKey) keep = stringStart;
    else if (inString || (valueRole === SKIP && value.inString)) while (keep > base && bytes[keep - base - 1] === BACKSLASH) keep--;
    kept = len - (keep - base);
    if (keep !== base) buf.copyWithin(0, keep - base, len);
    base = keep;
    onProgress?.(position, file.bytes, builder);
  }
  if (!rootDone || !spansSeen || infoJson === undefined) return null;
  return builder.finish(readMlflowInfo(infoJson, spanTraceIds), artifacts, artifactsRange, file);
}
