/**
 * The worker thread of one open trace (its own esbuild entry, dist/traceWorker.js): gets the
 * outline (reads it, or scans the file for it while reporting progress), holds it, and answers
 * the host with the page's skeleton, rows of span ids and streamed search results. The host
 * thread never parses the trace; it terminates this worker when the trace's last panel closes.
 */
import { parentPort } from 'node:worker_threads';
import { loadOutline } from '../../core/trace/outlineLoad';
import type { Outline } from '../../core/trace/outline';
import type { Skeleton } from '../../shared/traceViewerProtocol';
import { jsonForScriptElement } from '../webviewHtml';
import { findRootCause, toViewerVerdicts } from './analysis';
import { searchFile, spanMatcher } from './search';
import type { FromWorker, ToWorker, TraceSummary } from './workerProtocol';

const port = parentPort!;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

let outline: Outline | undefined;
let dataFile = '';
let rowOf: Map<string, number> | undefined;
let fileOrder: Int32Array | undefined;
const activeSearches = new Set<number>();

const rowsOf = (ids: readonly string[]): number[] => {
  rowOf ??= new Map(outline!.ids.map((id, row) => [id, row]));
  return ids.map((id) => rowOf!.get(id)).filter((r): r is number => r !== undefined);
};

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'open': {
      // Progress at most every 1 % of the file: enough for a bar, not a flood of messages.
      let reported = 0;
      const loaded = await loadOutline(message.file, {
        ...(message.outlineFile ? { outlineFile: message.outlineFile } : {}),
        onProgress: (bytesRead, totalBytes) => {
          if (bytesRead - reported < totalBytes / 100 && bytesRead < totalBytes) return;
          reported = bytesRead;
          post({ type: 'progress', bytesRead, totalBytes });
        },
      });
      outline = loaded.outline;
      dataFile = loaded.dataFile;
      const summary: TraceSummary = {
        info: outline.info, originNs: outline.originNs, totals: outline.totals, artifacts: outline.artifacts,
        artifactsRange: outline.artifactsRange, dataFile, file: outline.file, ...(loaded.tempDir ? { tempDir: loaded.tempDir } : {}),
      };
      const byteStart = Float64Array.from(outline.byteStart);
      const byteEnd = Float64Array.from(outline.byteEnd);
      post({ type: 'opened', summary, byteStart, byteEnd, warnings: loaded.warnings, built: loaded.built }, [byteStart.buffer, byteEnd.buffer]);
      return;
    }
    case 'prepare': {
      const o = outline!;
      const skeleton: Skeleton = { ids: o.ids, parents: o.parents, names: o.names, types: o.types, status: o.status, startMs: o.startMs, durMs: o.durMs };
      rowOf ??= new Map(o.ids.map((id, row) => [id, row]));
      const verdicts = toViewerVerdicts(message.verdicts, rowOf);
      post({
        type: 'prepared', id: message.id, skeletonJson: jsonForScriptElement(skeleton), verdicts,
        reveal: rowsOf(message.revealSpanIds), rootCause: findRootCause(skeleton, verdicts),
      });
      return;
    }
    case 'rowsOf':
      post({ type: 'rows', id: message.id, rows: rowsOf(message.spanIds) });
      return;
    case 'totals': {
      // Another trace (the previous run's, for the comparison): its outline only, not kept.
      const other = await loadOutline(message.file, message.outlineFile ? { outlineFile: message.outlineFile } : {});
      post({ type: 'totals', id: message.id, info: other.outline.info, totals: other.outline.totals, warnings: other.warnings });
      return;
    }
    case 'cancelSearch':
      activeSearches.delete(message.searchId);
      return;
    case 'search':
      return search(message);
  }
}

async function search(q: Extract<ToWorker, { type: 'search' }>): Promise<void> {
  const { searchId } = q;
  const done = (extra: { truncated?: boolean; error?: string } = {}) =>
    post({ type: 'searchResults', searchId, rows: [], done: true, truncated: extra.truncated ?? false, ...(extra.error ? { error: extra.error } : {}) });
  if (q.query === '') return done();
  const matcher = spanMatcher(q);
  if (typeof matcher !== 'function') return done({ error: matcher.error });
  const o = outline!;
  if (!fileOrder) {
    const order = Int32Array.from(o.ids.keys());
    order.sort((a, b) => o.byteStart[a]! - o.byteStart[b]!);
    fileOrder = order;
  }
  activeSearches.add(searchId);
  try {
    const outcome = await searchFile(dataFile, { fileOrder, byteStart: o.byteStart, byteEnd: o.byteEnd }, matcher, {
      rows: (rows) => post({ type: 'searchResults', searchId, rows, done: false, truncated: false }),
      cancelled: () => !activeSearches.has(searchId),
    });
    if (outcome) done({ truncated: outcome.truncated });
  } finally {
    activeSearches.delete(searchId);
  }
}

port.on('message', (message: ToWorker) => {
  handle(message).catch((error: unknown) => {
    const id = 'id' in message ? message.id : undefined;
    const text = (error as Error).message ?? String(error);
    if (message.type === 'search') post({ type: 'searchResults', searchId: message.searchId, rows: [], done: true, truncated: false, error: `Search failed: ${text}` });
    else post({ type: 'failed', ...(id !== undefined ? { id } : {}), message: text });
  });
});
