/**
 * One open trace on the host side: its worker thread (which holds the outline), the byte
 * position of every span, and the few facts the header needs. A span's detail is read on demand
 * from its byte range in the file and only that span is parsed. No `vscode` import.
 *
 * TraceSessions shares one session among the panels showing the same trace file and releases
 * everything (worker, temp copy, byte positions) when the last of them closes.
 */
import { promises as fs } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Artifact, Span } from '../../core/trace/model';
import type { Verdict } from '../../core/judges/types';
import { readMlflowArtifacts, readMlflowSpan } from '../../core/trace/mlflow';
import { parseJsonKeepingNanos } from '../../core/trace/nanos';
import type { OutlineTotals } from '../../core/trace/outline';
import type { TraceInfo } from '../../core/trace/model';
import type { RootCause, SpanDetail, ViewerVerdict } from '../../shared/traceViewerProtocol';
import type { SkeletonColumns } from '../../shared/skeletonColumns';
import type { FromWorker, ToWorker, TraceSummary } from './workerProtocol';
import type { SearchQuery } from './search';

export interface OpenOptions {
  /** The worker's script: dist/traceWorker.js in the extension. */
  workerFile: string;
  /** Where the trace's outline is kept (beside a stored trace, or in the outline cache); absent: built in memory only. */
  outlineFile?: string;
  /** `outlineFile` is in the outline cache (outlineCache.ts). */
  outlineCached?: boolean;
  onProgress?(bytesRead: number, totalBytes: number): void;
  /** The first spans of a file being scanned, as the page's rows (see the worker). */
  onPreview?(skeleton: SkeletonColumns): void;
}

export interface Prepared {
  verdicts: ViewerVerdict[];
  reveal: number[];
  rootCause: RootCause | null;
}

export interface SearchBatch {
  rows: number[];
  done: boolean;
  truncated: boolean;
  error?: string;
}

export class TraceSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(m: FromWorker): void; reject(e: Error): void }>();
  private readonly searches = new Map<number, (batch: SearchBatch) => void>();
  private closing: Promise<void> | undefined;
  /** Resolves when the worker thread has ended (closed, or crashed). */
  readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    readonly summary: TraceSummary,
    private readonly byteStart: Float64Array,
    private readonly byteEnd: Float64Array,
    /** Problems with the stored outline that were repaired by rebuilding it. */
    readonly warnings: readonly string[],
    /** True when the outline was built on opening (no usable one was stored). */
    readonly built: boolean,
  ) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: FromWorker) => this.receive(message));
    worker.on('error', (error) => this.failAll(error));
    worker.once('exit', () => this.failAll(new Error('the trace viewer worker stopped')));
  }

  static async open(file: string, options: OpenOptions): Promise<TraceSession> {
    const worker = new Worker(options.workerFile);
    const listeners: { message?: (m: FromWorker) => void; error?: (e: Error) => void; exit?: (code: number) => void } = {};
    const opened = await new Promise<Extract<FromWorker, { type: 'opened' }>>((resolve, reject) => {
      listeners.message = (message: FromWorker) => {
        if (message.type === 'progress') options.onProgress?.(message.bytesRead, message.totalBytes);
        else if (message.type === 'preview') options.onPreview?.(message.skeleton);
        else if (message.type === 'opened') resolve(message);
        else if (message.type === 'failed') reject(new Error(message.message));
      };
      listeners.error = reject;
      listeners.exit = (code) => reject(new Error(`the trace viewer worker stopped (exit code ${code})`));
      worker.on('message', listeners.message);
      worker.on('error', listeners.error);
      worker.on('exit', listeners.exit);
      worker.postMessage({ type: 'open', file, ...(options.outlineFile ? { outlineFile: options.outlineFile } : {}), ...(options.outlineCached ? { outlineCached: true } : {}) } satisfies ToWorker);
    }).catch(async (error: Error) => {
      await worker.terminate();
      throw error;
    }).finally(() => {
      worker.off('message', listeners.message!);
      worker.off('error', listeners.error!);
      worker.off('exit', listeners.exit!);
    });
    return new TraceSession(worker, opened.summary, opened.byteStart, opened.byteEnd, opened.warnings, opened.built);
  }

  get spans(): number {
    return this.byteStart.length;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** The page's verdicts on rows, rows to reveal and the root cause. */
  async prepare(verdicts: readonly Verdict[], revealSpanIds: readonly string[]): Promise<Prepared> {
    const answer = await this.request({ type: 'prepare', id: 0, verdicts: [...verdicts], revealSpanIds: [...revealSpanIds] });
    if (answer.type !== 'prepared') throw new Error('unexpected answer from the trace viewer worker');
    const { verdicts: viewerVerdicts, reveal, rootCause } = answer;
    return { verdicts: viewerVerdicts, reveal, rootCause };
  }

  /** The span tree as binary columns, made by the worker and handed over without a copy. */
  async skeleton(): Promise<SkeletonColumns> {
    const answer = await this.request({ type: 'skeleton', id: 0 });
    if (answer.type !== 'skeleton') throw new Error('unexpected answer from the trace viewer worker');
    return answer.skeleton;
  }

  async rowsOf(spanIds: readonly string[]): Promise<number[]> {
    const answer = await this.request({ type: 'rowsOf', id: 0, spanIds: [...spanIds] });
    return answer.type === 'rows' ? answer.rows : [];
  }

  /** Info and totals of another trace file (read from its outline, built when missing). */
  async totalsOf(file: string, outlineFile?: string): Promise<{ info: TraceInfo; totals: OutlineTotals; warnings: string[] }> {
    const answer = await this.request({ type: 'totals', id: 0, file, ...(outlineFile ? { outlineFile } : {}) });
    if (answer.type !== 'totals') throw new Error('unexpected answer from the trace viewer worker');
    return { info: answer.info, totals: answer.totals, warnings: answer.warnings };
  }

  /** Starts a search; batches of matching rows arrive through `onBatch` until one says done. Returns its id for cancelSearch. */
  search(query: SearchQuery, onBatch: (batch: SearchBatch) => void): number {
    const searchId = this.nextId++;
    this.searches.set(searchId, onBatch);
    this.worker.postMessage({ type: 'search', searchId, ...query } satisfies ToWorker);
    return searchId;
  }

  cancelSearch(searchId: number): void {
    if (!this.searches.delete(searchId) || this.closed) return;
    this.worker.postMessage({ type: 'cancelSearch', searchId } satisfies ToWorker);
  }

  /** The span on `row`, read from its byte range in the trace file; undefined when there is no such row. */
  async detail(row: number): Promise<SpanDetail | undefined> {
    const span = await this.readSpan(row);
    if (!span) return undefined;
    const origin = BigInt(this.summary.originNs);
    const start = BigInt(span.startTimeUnixNano);
    return {
      row,
      spanId: span.spanId,
      name: span.name,
      type: span.spanType,
      status: { code: span.status.code, ...(span.status.message ? { message: span.status.message } : {}) },
      startMs: Number(start - origin) / 1e6,
      durMs: Math.max(0, Number(BigInt(span.endTimeUnixNano) - start) / 1e6),
      ...(span.toolName ? { toolName: span.toolName } : {}),
      ...(span.tokens ? { tokens: span.tokens } : {}),
      ...(span.inputs !== undefined ? { inputs: span.inputs } : {}),
      ...(span.outputs !== undefined ? { outputs: span.outputs } : {}),
      attributes: span.attributes,
      events: span.events.map((e) => ({ name: e.name, offsetMs: Number(BigInt(e.timeUnixNano) - origin) / 1e6, attributes: e.attributes })),
    };
  }

  /** The artifact at `path` with its text, read from the file's artifacts range. */
  async artifact(path: string): Promise<Artifact | undefined> {
    const range = this.summary.artifactsRange;
    if (!range) return undefined;
    const text = await this.readRange(range[0], range[1]);
    return readMlflowArtifacts({ artifacts: JSON.parse(text) }).find((a) => a.path === path);
  }

  /** Ends the worker and removes the temp copy; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.worker.terminate();
      if (this.summary.tempDir) await fs.rm(this.summary.tempDir, { recursive: true, force: true });
    })();
    return this.closing;
  }

  private async readSpan(row: number): Promise<Span | undefined> {
    if (!Number.isInteger(row) || row < 0 || row >= this.byteStart.length) return undefined;
    const text = await this.readRange(this.byteStart[row]!, this.byteEnd[row]!);
    return readMlflowSpan(parseJsonKeepingNanos(text), `row ${row}`).span;
  }

  private async readRange(start: number, end: number): Promise<string> {
    const handle = await fs.open(this.summary.dataFile, 'r');
    try {
      // The byte positions are only true of the file the outline was made from.
      const stat = await handle.stat();
      if (stat.size !== this.summary.file.bytes || stat.mtimeMs !== this.summary.file.mtimeMs) {
        throw new Error('The trace file changed on disk since it was opened: close this viewer and open the trace again.');
      }
      const buffer = Buffer.alloc(end - start);
      await handle.read(buffer, 0, buffer.length, start);
      return buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  }

  private request(message: ToWorker & { id: number }): Promise<FromWorker> {
    if (this.closed) return Promise.reject(new Error('the trace was closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  private receive(message: FromWorker): void {
    if (message.type === 'searchResults') {
      const onBatch = this.searches.get(message.searchId);
      if (!onBatch) return; // cancelled: late batches are dropped
      if (message.done) this.searches.delete(message.searchId);
      onBatch({ rows: message.rows, done: message.done, truncated: message.truncated, ...(message.error ? { error: message.error } : {}) });
      return;
    }
    if (!('id' in message) || message.id === undefined) return;
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.type === 'failed') waiter.reject(new Error(message.message));
    else waiter.resolve(message);
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
    for (const onBatch of this.searches.values()) onBatch({ rows: [], done: true, truncated: false, error: `Search stopped: ${error.message}` });
    this.searches.clear();
  }
}

type OpeningListener = Pick<OpenOptions, 'onProgress' | 'onPreview'>;

interface SessionEntry {
  session: Promise<TraceSession>;
  users: number;
  listeners: Set<OpeningListener>;
  /** The preview of a scan still going on, for panels that join it. */
  preview?: SkeletonColumns;
}

/** Sessions by trace file, shared by the panels that show it; the last release closes one. */
export class TraceSessions {
  private readonly entries = new Map<string, SessionEntry>();

  constructor(private readonly workerFile: string) {}

  /** `options.onProgress`/`onPreview` hear of the opening while it goes on (a panel joining late gets the preview already made). */
  async acquire(file: string, options: Omit<OpenOptions, 'workerFile'> = {}): Promise<TraceSession> {
    let entry = this.entries.get(file);
    if (!entry) {
      const listeners = new Set<OpeningListener>();
      let created: SessionEntry | undefined;
      const session = TraceSession.open(file, {
        workerFile: this.workerFile,
        ...(options.outlineFile ? { outlineFile: options.outlineFile } : {}),
        ...(options.outlineCached ? { outlineCached: true } : {}),
        onProgress: (read, total) => { for (const l of listeners) l.onProgress?.(read, total); },
        onPreview: (skeleton) => {
          if (created) created.preview = skeleton;
          // A copy: a panel that joins from within a listener gets the preview as a late joiner, once.
          for (const l of [...listeners]) l.onPreview?.(skeleton);
        },
      });
      const made: SessionEntry = { session, users: 0, listeners };
      created = made;
      entry = made;
      this.entries.set(file, made);
      session.then(() => { delete made.preview; }, () => {
        if (this.entries.get(file) === made) this.entries.delete(file);
      });
    }
    entry.users++;
    const listener: OpeningListener = { ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.onPreview ? { onPreview: options.onPreview } : {}) };
    entry.listeners.add(listener);
    if (entry.preview) options.onPreview?.(entry.preview);
    try {
      return await entry.session;
    } catch (error) {
      entry.users--;
      throw error;
    } finally {
      entry.listeners.delete(listener);
    }
  }

  /** One user of `file` is done; the last one closes its session (worker, caches, temp copy). */
  async release(file: string): Promise<void> {
    const entry = this.entries.get(file);
    if (!entry || --entry.users > 0) return;
    this.entries.delete(file);
    await (await entry.session.catch(() => undefined))?.close();
  }

  /** Files with an open (or opening) session. */
  get open(): string[] {
    return [...this.entries.keys()];
  }

  async closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map(async (e) => (await e.session.catch(() => undefined))?.close()));
  }
}
