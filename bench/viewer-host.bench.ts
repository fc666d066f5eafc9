/**
 * The trace viewer's host side on a big trace, outside the editor (the in-editor figures are
 * bench/editor.bench.ts): a realistic 250,000-span trace (~1.8 KB per span, test/support/
 * realisticTrace.ts) in a workspace's trace store, opened through the real session and worker
 * (dist/traceWorker.js; run `npm run build` first).
 *
 *   node --import tsx bench/viewer-host.bench.ts [spans]
 *
 * Measures: outline ready (session open) when the worker builds the outline vs when it reads
 * the stored one, and (median of 3) when the file is outside the store and has no outline yet,
 * as the custom editor first opens any `*.trace.json`: the worker's scan of the file; page ready (state + HTML), the skeleton columns for its ready; first search (first batch, done); the
 * longest the host's event loop was blocked in each phase (perf_hooks.monitorEventLoopDelay);
 * the host's heap with two such traces open and after both closed.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { outlinePathOf } from '../src/core/trace/outline';
import { TraceViewerController } from '../src/extension/traceViewer/controller';
import { renderViewerHtml } from '../src/extension/traceViewer/html';
import { skeletonBuffers } from '../src/shared/skeletonColumns';
import { TraceSessions } from '../src/extension/traceViewer/session';
import { ERROR_WORD, writeRealisticTrace } from '../test/support/realisticTrace';
import { BUILT_WORKER } from '../test/support/traceViewer';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 1024 * 1024;

/** Runs `work`, returning its duration and the event loop's longest block meanwhile (ms). */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; maxBlockMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const start = performance.now();
  const value = await work();
  const ms = performance.now() - start;
  delay.disable();
  return { value, ms, maxBlockMs: delay.max / 1e6 };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 250_000);
  const tmp = mkdtempSync(path.join(tmpdir(), 'costar-viewer-host-bench-'));
  try {
    const dir = path.join(tmp, 'ws', '.costar', 'traces');
    mkdirSync(dir, { recursive: true });
    const traceId = 'b'.repeat(32);
    const file = path.join(dir, `${traceId}.trace.json`);
    await writeRealisticTrace(file, n, traceId);
    const second = path.join(dir, `${'c'.repeat(32)}.trace.json`);
    linkSync(file, second);
    const rows: Record<string, string>[] = [];
    const row = (what: string, m: { ms: number; maxBlockMs: number }) => rows.push({ what, 'ms': m.ms.toFixed(0), 'host max block ms': m.maxBlockMs.toFixed(0) });
    const sessions = new TraceSessions(BUILT_WORKER);
    // The noise floor: how late the event loop runs when the host does nothing (a shared machine).
    row('idle host, 3 s (noise floor)', await measured(() => new Promise((resolve) => setTimeout(resolve, 3000))));

    const built = await measured(() => sessions.acquire(file, { outlineFile: outlinePathOf(file) }));
    row('outline ready, built by the worker (no outline stored)', built);
    await sessions.release(file);

    // No outline file given (the custom editor's first opening of a *.trace.json): scanned each time.
    const scans: Awaited<ReturnType<typeof measured>>[] = [];
    for (let k = 0; k < 3; k++) {
      scans.push(await measured(() => sessions.acquire(second)));
      await sessions.release(second);
    }
    scans.sort((a, b) => a.ms - b.ms);
    row(`outline ready, file outside the store: worker scan (median of 3; ${scans.map((m) => m.ms.toFixed(0)).join(', ')} ms)`, scans[1]!);

    const read = await measured(() => sessions.acquire(file, { outlineFile: outlinePathOf(file) }));
    row('outline ready, stored outline read', read);
    const session = read.value;
    const page = await measured(async () => {
      const controller = new TraceViewerController({ source: { kind: 'store', traceId }, session, verdicts: [] });
      return { controller, html: renderViewerHtml({ cspSource: 'x', scriptUri: 'x', styleUris: [], page: await controller.page() }) };
    });
    row('page ready (state, HTML) after that', page);
    let skeletonBytes = 0;
    const skeleton = await measured(() => page.value.controller.handle({ type: 'ready' }, {
      post: (m) => {
        if (m.type === 'skeleton') skeletonBytes = skeletonBuffers(m.skeleton).reduce((sum, b) => sum + b.byteLength, 0);
      },
      openArtifact: () => {}, log: () => {},
    }));
    row(`skeleton columns for the page's ready (${(skeletonBytes / MB).toFixed(1)} MB)`, skeleton);
    let firstBatchMs = 0;
    const search = await measured(() => new Promise<void>((resolve) => {
      const start = performance.now();
      void page.value.controller.handle({ type: 'search', requestId: 1, query: ERROR_WORD, regex: false, caseSensitive: false }, {
        post: (m) => {
          if (m.type !== 'searchResults') return;
          if (!firstBatchMs && m.rows.length) firstBatchMs = performance.now() - start;
          if (m.done) resolve();
        },
        openArtifact: () => {}, log: () => {},
      });
    }));
    row(`first search "${ERROR_WORD}" done (first batch after ${firstBatchMs.toFixed(0)} ms)`, search);

    const two = await measured(() => sessions.acquire(second, { outlineFile: outlinePathOf(second) }));
    row('second 250k trace opened beside it (outline built)', two);
    gc();
    const heapTwo = process.memoryUsage().heapUsed;
    const rssTwo = process.memoryUsage().rss;
    await sessions.release(file);
    await sessions.release(second);
    gc();
    const heapAfter = process.memoryUsage().heapUsed;
    console.log(`${n.toLocaleString('en')} spans, ${(statSync(file).size / MB).toFixed(0)} MB file, HTML ${(page.value.html.length / MB).toFixed(1)} MB`);
    console.table(rows);
    console.log(`host heap with both open: ${(heapTwo / MB).toFixed(0)} MB (process RSS incl. both workers ${(rssTwo / MB).toFixed(0)} MB); after closing both: ${(heapAfter / MB).toFixed(0)} MB; sessions left: ${sessions.open.length}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

void main();
