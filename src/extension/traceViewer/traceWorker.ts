/**
 * The worker thread of one open trace (its own esbuild entry, dist/traceWorker.js): gets the
 * outline (reads it, or scans the file for it while reporting progress), holds it, and answers
 * the host with the page's skeleton (binary columns, transferred), rows of span ids and
 * streamed search results. The host thread never parses the trace; it terminates this worker
 * when the trace's last panel closes.
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { loadOutline } from '../../core/trace/outlineLoad';
import type { OutlineView } from '../../core/trace/outline';
import { findRootCause, toViewerVerdicts } from './analysis';
import { rawNeedle, searchFile, spanMatcher } from './search';
import type { FromWorker, ToWorker, TraceSummary } from './workerProtocol';
import { encodeSkeleton, skeletonBuffers } from '../../shared/skeletonColumns';

// A scan of a 500 MB file keeps a core busy for seconds: on Linux the nice value is per thread,
// so lowering this thread's lets the extension host's thread win the CPU meanwhile. (Elsewhere
// it would lower the whole editor process: left alone.)
if (process.platform === 'linux') {
  try {
    setPriority(10);
  } catch {
    // Not allowed here (a container's policy): the scan just runs at normal priority.
  }
}

const port = parentPort!;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

let outline: OutlineView | undefined;
let dataFile = '';
let rowOf: Map<string, number> | undefined;
let fileOrder: Int32Array | undefined;
const activeSearches = new Set<number>();

/** Rows of span ids: a scan for a few (verdicts cite a handful), a map built once for more. */
const MAP_FROM = 64;
const rowsOf = (wanted: readonly string[]): number[] => {
  const ids = outline!.column<string>('ids');
  if (!rowOf && wanted.length < MAP_FROM) return wanted.map((id) => ids.indexOf(id)).filter((r) => r >= 0);
  rowOf ??= new Map(ids.map((id, row) => [id, row]));
  return wanted.map((id) => rowOf!.get(id)).filter((r): r is number => r !== undefined);
};

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'open': {
      // Progress at most every 1 % of the file: enough for a bar, not a flood of messages.
      let reported = 0;
      let previewed = false;
      const loaded = await loadOutline(message.file, {
        ...(message.outlineFile ? { outlineFile: message.outlineFile } : {}),
        ...(message.outlineCached ? { cached: true } : {}),
        onProgress: (bytesRead, totalBytes, scanned) => {
          // The first rows read, once, while there is more to read: the page shows them at once.
          if (!previewed && scanned.size > 0 && bytesRead < totalBytes) {
            previewed = true;
            const skeleton = encodeSkeleton(scanned.preview());
            post({ type: 'preview', skeleton }, skeletonBuffers(skeleton));
          }
          if (bytesRead - reported < totalBytes / 100 && bytesRead < totalBytes) return;
          reported = bytesRead;
          post({ type: 'progress', bytesRead, totalBytes });
        },
      });
      const o = loaded.outline;
      outline = o;
      dataFile = loaded.dataFile;
      const { head } = o;
      const summary: TraceSummary = {
        info: head.info, originNs: head.originNs, totals: head.totals, artifacts: head.artifacts,
        artifactsRange: head.artifactsRange, dataFile, file: head.file, ...(loaded.tempDir ? { tempDir: loaded.tempDir } : {}),
      };
      const byteStart = Float64Array.from(o.column('byteStart'));
      const byteEnd = Float64Array.from(o.column('byteEnd'));
      post({ type: 'opened', summary, byteStart, byteEnd, warnings: loaded.warnings, built: loaded.built }, [byteStart.buffer, byteEnd.buffer]);
      return;
    }
    case 'prepare': {
      const o = outline!;
      // Verdicts cite span ids; ids not in this trace are dropped by toViewerVerdicts.
      const cited = [...new Set(message.verdicts.flatMap((v) => v.spanIds))];
      const citedRows = rowsOf(cited);
      const ids = citedRows.length ? o.column<string>('ids') : [];
      const rowOfCited = new Map(citedRows.map((row) => [ids[row]!, row]));
      const verdicts = toViewerVerdicts(message.verdicts, rowOfCited);
      const rootCause = findRootCause({ parents: o.column('parents'), status: o.column('status'), startMs: o.column('startMs') }, verdicts);
      post({ type: 'prepared', id: message.id, verdicts, reveal: rowsOf(message.revealSpanIds), rootCause });
      return;
    }
    case 'skeleton': {
      // Encoded afresh for each page (a few MB; the outline's columns stay the one copy kept)
      // and transferred, so the host never copies or parses it.
      const o = outline!;
      const skeleton = encodeSkeleton({
        parents: o.column('parents'), names: o.column<string>('names'),
        types: o.column('types'), status: o.column('status'), startMs: o.column('startMs'), durMs: o.column('durMs'),
      });
      post({ type: 'skeleton', id: message.id, skeleton }, skeletonBuffers(skeleton));
      return;
    }
    case 'rowsOf':
      post({ type: 'rows', id: message.id, rows: rowsOf(message.spanIds) });
      return;
    case 'totals': {
      // Another trace (the previous run's, for the comparison): its outline only, not kept.
      const other = await loadOutline(message.file, message.outlineFile ? { outlineFile: message.outlineFile } : {});
      post({ type: 'totals', id: message.id, info: other.outline.head.info, totals: other.outline.head.totals, warnings: other.warnings });
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
  const byteStart = o.column('byteStart');
  const byteEnd = o.column('byteEnd');
  if (!fileOrder) {
    const order = Int32Array.from(byteStart.keys());
    order.sort((a, b) => byteStart[a]! - byteStart[b]!);
    fileOrder = order;
  }
  activeSearches.add(searchId);
  try {
    const outcome = await searchFile(dataFile, { fileOrder, byteStart, byteEnd }, matcher, {
      rows: (rows) => post({ type: 'searchResults', searchId, rows, done: false, truncated: false }),
      cancelled: () => !activeSearches.has(searchId),
    }, rawNeedle(q));
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
