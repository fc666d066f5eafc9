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

export interface ScanProgress {
  (bytesRead: number, totalBytes: number): void;
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
  // Inside a value that is captured or skipped whole: its role, start and bracket depth, and
  // whether a run of digits outside its strings is long enough to be a time JSON.parse would round.
  let valueRole = -1;
  let valueStart = 0;
  let inner = 0;
  let digitRun = 0;
  let longIntegers = false;
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
        json = parseJsonKeepingNanos(slice, longIntegers);
      } catch (error) {
        throw new Error(`${where}: not valid JSON (${(error as Error).message})`);
      }
      const { traceId, span } = readMlflowSpan(json, where, 'outline');
      spanTraceIds.push(traceId);
      builder.add(span, [start, end]);
    } else if (role === INFO) {
      infoJson = parseJsonKeepingNanos(slice, longIntegers);
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
      inner = 1;
      digitRun = 0;
      longIntegers = false;
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
        if (inString) {
          // A string ends at the first quote not escaped, i.e. not after an odd run of backslashes:
          // one jump per quote, and escapes elsewhere (\n, \\) are never looked at.
          const quote = bytes.indexOf(QUOTE, i);
          if (quote === -1) {
            i = len;
            continue;
          }
          let run = 0;
          while (quote - run - 1 >= 0 && bytes[quote - run - 1] === BACKSLASH) run++;
          i = quote + 1;
          if (run % 2 === 1) continue;
          inString = false;
          if (stringIsKey) pendingKey = JSON.parse(bytes.subarray(stringStart - base, i).toString('utf8')) as string;
          else if (valueRole < 0) afterValue();
          continue;
        }
        const c = bytes[i]!;
        if (valueRole >= 0) {
          if (c >= 0x30 && c <= 0x39) {
            if (++digitRun >= LONG_INTEGER_DIGITS) longIntegers = true;
            i++;
            continue;
          }
          digitRun = 0;
          if (c === QUOTE) {
            inString = true;
            stringIsKey = false;
          } else if (c === LBRACE || c === LBRACKET) inner++;
          else if ((c === RBRACE || c === RBRACKET) && --inner === 0) {
            const role = valueRole;
            valueRole = -1;
            if (role !== SKIP) emit(role, valueStart, base + i + 1);
            afterValue();
          }
          i++;
          continue;
        }
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
    else if (inString) while (keep > base && bytes[keep - base - 1] === BACKSLASH) keep--;
    kept = len - (keep - base);
    if (keep !== base) buf.copyWithin(0, keep - base, len);
    base = keep;
    onProgress?.(position, file.bytes);
  }
  if (!rootDone || !spansSeen || infoJson === undefined) return null;
  return builder.finish(readMlflowInfo(infoJson, spanTraceIds), artifacts, artifactsRange, file);
}
