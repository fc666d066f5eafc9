/**
 * Trace viewer benchmark: generated traces of 1k, 10k, 50k and 100k spans opened in headless
 * Chromium exactly as the tests open them (real controller, real HTML, built bundle).
 *
 *   node --import tsx bench/viewer.bench.ts          (after `npm run build`)
 *
 * Measures: host preparation (index + initial state + HTML), time to first painted tree
 * (navigation start → first frame with rows), expand-all (click → next frame), frame intervals
 * while scrolling through the expanded tree, host search time, and the page's JS heap after GC.
 * Goal at 50k: first paint < 1 s, scroll frames < 16 ms, heap < 300 MB.
 */
import { performance } from 'node:perf_hooks';
import { renderViewerHtml } from '../src/extension/traceViewer/html';
import { generatedTrace } from '../test/webview/fixtures';
import { startViewerHarness } from '../test/webview/viewerPage';
import { BUILT_WORKER, openTestViewer } from '../test/support/traceViewer';

const SIZES = [1_000, 10_000, 50_000, 100_000];
const SCROLL_FRAMES = 120;

interface Row {
  spans: string;
  'host prep ms': string;
  'first paint ms': string;
  'expand all ms': string;
  'scroll frame p50 ms': string;
  'scroll frame p95 ms': string;
  'scroll frame max ms': string;
  'frames > 20 ms': string;
  'search ms': string;
  'JS heap MB': string;
}

const fixed = (n: number, digits = 1) => n.toFixed(digits);

async function main(): Promise<void> {
  const harness = await startViewerHarness();
  const rows: Row[] = [];
  try {
    for (const size of SIZES) {
      const trace = generatedTrace(size);
      const input = { source: { kind: 'store' as const, traceId: 'c'.repeat(32) }, trace, verdicts: [] };

      // Host side as the extension does it: store (with outline), session + worker, page state, HTML.
      const prepStart = performance.now();
      const { controller, session } = await openTestViewer(input, BUILT_WORKER);
      renderViewerHtml({ cspSource: 'x', scriptUri: 'x', styleUris: [], page: await controller.page() });
      const prepMs = performance.now() - prepStart;

      const searchStart = performance.now();
      await new Promise<void>((resolve) => void controller.handle({ type: 'search', requestId: 1, query: `question number ${size - 1}"`, regex: false, caseSensitive: false }, {
        post: (m) => { if (m.type === 'searchResults' && m.done) resolve(); }, openArtifact: () => {}, log: () => {},
      }));
      const searchMs = performance.now() - searchStart;
      await session.close();

      const { page } = await harness.open(input);
      const firstPaint = await page.evaluate("performance.getEntriesByName('costar-tree-painted')[0].startTime") as number;

      const expandMs = await page.evaluate(`new Promise((resolve) => {
        const start = performance.now();
        document.querySelector('button[aria-label="Expand all"]').click();
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - start)));
      })`) as number;

      // Scroll a page and a half per frame through the expanded tree and record frame intervals.
      const intervals = await page.evaluate(`new Promise((resolve) => {
        const scroller = document.querySelector('.tree-scroll');
        const step = Math.max(1, Math.floor((scroller.scrollHeight - scroller.clientHeight) / ${SCROLL_FRAMES}));
        const out = [];
        let last = performance.now();
        let frames = 0;
        const tick = (now) => {
          out.push(now - last);
          last = now;
          if (++frames > ${SCROLL_FRAMES}) return resolve(out.slice(1));
          scroller.scrollTop += step;
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      })`) as number[];
      intervals.sort((a, b) => a - b);
      const pct = (p: number) => intervals[Math.min(intervals.length - 1, Math.floor(p * intervals.length))]!;

      const cdp = await page.context().newCDPSession(page);
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('Performance.enable');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;

      rows.push({
        spans: size.toLocaleString('en'),
        'host prep ms': fixed(prepMs, 0),
        'first paint ms': fixed(firstPaint, 0),
        'expand all ms': fixed(expandMs, 0),
        'scroll frame p50 ms': fixed(pct(0.5)),
        'scroll frame p95 ms': fixed(pct(0.95)),
        'scroll frame max ms': fixed(intervals[intervals.length - 1]!),
        'frames > 20 ms': `${intervals.filter((ms) => ms > 20).length}/${intervals.length}`,
        'search ms': fixed(searchMs, 0),
        'JS heap MB': fixed(heap / 1024 / 1024),
      });
      await page.context().close();
    }
  } finally {
    await harness.close();
  }
  console.table(rows);
  console.log('Goal at 50,000 spans: first paint < 1000 ms, scroll frames < 16 ms (60 Hz pacing shows as ≈16.7 ms intervals), JS heap < 300 MB.');
}

void main();
