/**
 * The trace store: `.costar/traces/<traceId>.trace.json` under the workspace, one MLflow trace
 * JSON document per trace, each written atomically (temp file + rename), so a crash mid-write
 * never leaves a half file and readers never see one. Beside each, `<traceId>.outline.json`:
 * the trace viewer's outline of it (outline.ts).
 */
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { META, type Trace, type TraceInfo } from './model';
import { fromMlflowJson, serializeMlflowTrace } from './mlflow';
import { outlinePathOf } from './outline';
import { writeOutlineOf } from './outlineLoad';
import { parseJsonKeepingNanos } from './nanos';
import { isTraceId } from './ids';
import { writeFileAtomic } from '../util/atomicWrite';
import { listDir, type SkippedFile } from '../util/files';
import { readUserFileIfExists } from '../util/userFile';
import { tracesDir } from '../layout';

const SUFFIX = '.trace.json';
/** list() reads a file's head in chunks of this size until the `info` object is complete. */
const HEAD_CHUNK_BYTES = 16 * 1024;
/** Far beyond a 50,000-span trace; what is larger is not a trace coSTAR wrote. */
const TRACE_MAX_BYTES = 256 * 1024 * 1024;

export class TraceStore {
  readonly dir: string;

  constructor(workspaceDir: string) {
    this.dir = tracesDir(workspaceDir);
  }

  path(traceId: string): string {
    // The id becomes a file name: only exact trace ids, so nothing can escape the folder.
    if (!isTraceId(traceId)) throw new Error(`not a trace id: ${JSON.stringify(traceId)} (expected 32 lowercase hex digits)`);
    return path.join(this.dir, `${traceId}${SUFFIX}`);
  }

  async put(trace: Trace): Promise<string> {
    const file = this.path(trace.info.traceId);
    // `info` is the first key, which is what lets list() stop reading early.
    const serialized = serializeMlflowTrace(trace);
    await writeFileAtomic(file, serialized.text);
    try {
      await writeOutlineOf(trace, serialized, file, outlinePathOf(file));
    } catch {
      // The outline is a cache of the trace: the viewer rebuilds a missing one (with a warning),
      // so failing to write it must not fail storing the trace.
    }
    return file;
  }

  /** The stored trace, or undefined when there is none. A corrupt file is an error naming it. */
  async get(traceId: string): Promise<Trace | undefined> {
    const file = this.path(traceId);
    // Not readTextIfExists: a cloned repository can commit .costar/traces/x.trace.json as a
    // symlink to /dev/zero, which must not be read without end.
    let text: string | undefined;
    try {
      text = await readUserFileIfExists(file, TRACE_MAX_BYTES);
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`);
    }
    if (text === undefined) return undefined;
    try {
      return fromMlflowJson(parseJsonKeepingNanos(text));
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`);
    }
  }

  /**
   * Why an imported trace must not be stored under this id: a trace a run recorded has it, and
   * replacing it would make a re-score judge the imported content as that run's. Undefined when
   * the id is free or holds an earlier import (re-importing the same file replaces it).
   */
  async importConflict(traceId: string): Promise<string | undefined> {
    let existing: TraceInfo;
    try {
      existing = await readInfo(this.path(traceId));
    } catch {
      // Nothing stored under this id, or only a damaged file: the import may take the place.
      return undefined;
    }
    if (existing.metadata[META.source] === 'import') return undefined;
    const run = existing.metadata[META.runId];
    const scenario = existing.metadata[META.scenarioId];
    const owner = run ? `the trace of scenario "${scenario ?? '?'}" in run ${run}` : 'a trace recorded by coSTAR';
    return `trace ${traceId} is already stored as ${owner}; it was not replaced (a re-score would judge the imported content instead). Give the imported trace another trace id to keep both`;
  }

  async has(traceId: string): Promise<boolean> {
    try {
      await fs.access(this.path(traceId));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The stored trace, or undefined when there is none or it is damaged; a damaged one is added to
   * `skipped` (for listings: one bad file must not hide the others).
   */
  async getOrSkip(traceId: string, skipped: SkippedFile[]): Promise<Trace | undefined> {
    try {
      return await this.get(traceId);
    } catch (error) {
      skipped.push({ file: this.path(traceId), reason: damageReason(error) });
      return undefined;
    }
  }

  /**
   * Infos of all stored traces, newest first; reads only each file's `info` object. A file that
   * cannot be read is left out and added to `skipped` when given.
   */
  async list(skipped: SkippedFile[] = []): Promise<TraceInfo[]> {
    const infos: TraceInfo[] = [];
    for (const name of await listDir(this.dir)) {
      if (!name.endsWith(SUFFIX)) continue;
      const file = path.join(this.dir, name);
      try {
        infos.push(await readInfo(file));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed meanwhile
        skipped.push({ file, reason: damageReason(error) });
      }
    }
    return infos.sort((a, b) => b.requestTime - a.requestTime);
  }
}

/** Why a stored file could not be read, without the file name (the SkippedFile has it). */
function damageReason(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return `${code && !message.includes(code) ? `${code}: ` : ''}${message.replace(/^\/\S+: /, '')} (damaged or not a trace; delete it or import it again)`;
}

async function readInfo(file: string): Promise<TraceInfo> {
  // O_NONBLOCK + fstat: a FIFO or device under the traces folder is refused, not waited on.
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) throw new Error('not a regular file');
    let head = '';
    let position = 0;
    const buffer = Buffer.alloc(HEAD_CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      if (position > TRACE_MAX_BYTES) throw new Error(`larger than ${TRACE_MAX_BYTES / (1024 * 1024)} MiB`);
      head += buffer.toString('latin1', 0, bytesRead);
      const end = endOfLeadingInfo(head);
      if (end !== undefined) {
        const infoText = Buffer.from(head.slice(0, end), 'latin1').toString('utf8');
        // An info-only document is still valid MLflow JSON as far as fromMlflowJson is concerned.
        return fromMlflowJson({ info: JSON.parse(`${infoText}}`).info, data: { spans: [] } }).info;
      }
    }
    return fromMlflowJson(parseJsonKeepingNanos(Buffer.from(head, 'latin1').toString('utf8'))).info;
  } finally {
    await handle.close();
  }
}

/**
 * When the text starts with `{"info":{…}`, returns the index just past that info object; else
 * undefined (not complete yet, or another key order). Scans bytes as latin1 so multi-byte UTF-8
 * never splits across chunks; JSON's structural characters are ASCII.
 */
function endOfLeadingInfo(text: string): number | undefined {
  const prefix = /^\s*\{\s*"info"\s*:\s*/.exec(text);
  if (!prefix) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = prefix[0].length; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) return i + 1;
  }
  return undefined;
}
