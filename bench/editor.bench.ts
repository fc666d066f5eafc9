/**
 * The trace viewer as users feel it: realistic traces (~1.7 KB per span, a 1 MB output, 1 %
 * erroring spans; test/support/realisticTrace.ts) of 50k, 100k and 250k spans opened in the
 * real editor (code-server + headless Chromium, the editor tier's rig and launchers), median
 * of 3 openings per size and per way of opening:
 *   - scan:  the *.trace.json opened as from the Explorer (coSTAR's custom editor) for the first
 *            time: no outline anywhere, the worker scans the file (each opening is of a new
 *            hard link, so the outline cache never has it);
 *   - again: the same file opened again: its outline is in the extension's outline cache;
 *   - store: the same trace under .costar/traces with its outline beside it (as the store
 *            writes it for a trace a run recorded), opened by id with coSTAR: Open Trace.
 * Figures:
 *   open → rows   the open request until the first tree row is on screen in the webview (for
 *                 a scan, the preview's: the first spans read, shown while the rest is read);
 *   whole tree    … until the viewer of the whole trace is up (its search box is there);
 *   host blocked  the slowest answer of a command sent to the extension host over and over
 *                 (every 20 ms) from the open request until 1 s after the rows showed: how
 *                 long every other command, test run and extension had to wait;
 *   search        Enter on a query matching the erroring spans until the first hit shows;
 *   RSS closed    the extension host's RSS after the panel closed and a full GC.
 * The probe is a bench-only extension (bench/editor-probe) installed beside coSTAR: it lives in
 * the extension host, so it is blocked by whatever blocks coSTAR there.
 *
 *   npm run build && npm run bench -- editor
 *   COSTAR_BENCH_SPANS=5000,20000 COSTAR_BENCH_OPENINGS=1 npm run bench -- editor   (quick look)
 *
 * Skips (exit 0, with the reason) when the code-server rig is not installed. Traces are
 * written to a temp folder, one size at a time, and removed afterwards.
 */
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import { openBrowser } from '../test/e2e/browser';
import { CODE_SERVER, REPO, startCodeServer } from '../test/e2e/codeServer';
import { waitFor } from '../test/e2e/waitFor';
import { webview } from '../test/e2e/workbench';
import { outlinePathOf } from '../src/core/trace/outline';
import { loadOutline } from '../src/core/trace/outlineLoad';
import { ERROR_WORD, writeRealisticTrace } from '../test/support/realisticTrace';

const SIZES = (process.env.COSTAR_BENCH_SPANS ?? '50000,100000,250000').split(',').map(Number);
const OPENINGS = Number(process.env.COSTAR_BENCH_OPENINGS ?? 3);
const ROUTES = ['scan', 'again', 'store'] as const;
const ROUTE_NAMES: Record<Route, string> = { scan: 'file, first time (scan)', again: 'file again (cached outline)', store: 'store (Open Trace)' };
type Route = (typeof ROUTES)[number];
const PROBE = path.join(__dirname, 'editor-probe');
const PROBE_ID = 'costar-bench.editor-probe-0.0.1';
const PING_EVERY_MS = 20;
/** After the whole tree shows, the host is watched this much longer (work it deferred still counts). */
const TAIL_MS = 1000;
const OPEN_TIMEOUT_MS = 300_000;

interface Opening {
  openMs?: number;
  wholeMs?: number;
  error?: string;
  blockedMs: number;
  loopDelayMs: number;
  searchMs?: number;
  searchBlockedMs?: number;
  rssAfterCloseMb: number;
  heapAfterCloseMb: number;
}

class Probe {
  constructor(private readonly port: number) {}

  async call<T>(method: 'GET' | 'POST', route: string, query: Record<string, string> = {}): Promise<T> {
    const url = `http://127.0.0.1:${this.port}${route}?${new URLSearchParams(query)}`;
    // A reused connection can be reset under us; that is not the host's answer, so ask again once.
    const response = await fetch(url, { method }).catch(() => fetch(url, { method }));
    if (!response.ok) throw new Error(`probe ${route}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** Pings until stopped; the result is the slowest answer (ms). */
  watch(): { stop(): Promise<number> } {
    let running = true;
    let max = 0;
    let failure: unknown;
    const loop = (async () => {
      while (running) {
        const start = performance.now();
        await this.call('GET', '/ping');
        max = Math.max(max, performance.now() - start);
        await new Promise((resolve) => setTimeout(resolve, PING_EVERY_MS));
      }
    })().catch((error: unknown) => {
      failure = error;
    });
    return {
      async stop() {
        running = false;
        await loop;
        if (failure) throw new Error(`the extension host stopped answering (${(failure as Error).message}): did it crash? see its log`);
        return max;
      },
    };
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};
const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function openOnce(page: Page, probe: Probe, route: Route, target: { file: string; traceId: string; fresh(): string }): Promise<Opening> {
  const viewer = webview(page);
  await probe.call('POST', '/lag/reset');
  const watch = probe.watch();
  const start = performance.now();
  await probe.call('POST', '/open', route === 'store' ? { traceId: target.traceId } : { file: route === 'scan' ? target.fresh() : target.file });
  const rows = viewer.locator('.row[role="treeitem"]:not([hidden])').first();
  const failure = viewer.locator('p', { hasText: 'coSTAR cannot show' });
  await rows.or(failure).waitFor({ timeout: OPEN_TIMEOUT_MS });
  const openMs = performance.now() - start;
  const error = (await failure.isVisible()) ? await failure.innerText() : undefined;
  let wholeMs: number | undefined;
  if (!error) {
    await viewer.locator('input.search-input').waitFor({ timeout: OPEN_TIMEOUT_MS });
    wholeMs = performance.now() - start;
  }
  await new Promise((resolve) => setTimeout(resolve, TAIL_MS));
  const blockedMs = await watch.stop();
  const { maxMs: loopDelayMs } = await probe.call<{ maxMs: number }>('GET', '/lag');

  let searchMs: number | undefined;
  let searchBlockedMs: number | undefined;
  if (!error) {
    const input = viewer.locator('input.search-input');
    await input.fill(ERROR_WORD);
    const searchWatch = probe.watch();
    const searchStart = performance.now();
    // Enter sends the query at once (typing alone waits for the box's 150 ms debounce).
    await input.press('Enter');
    const hit = viewer.locator('.row.match:not([hidden])').first().or(viewer.locator('.search-status', { hasText: /^1 of/ }));
    await hit.first().waitFor({ timeout: OPEN_TIMEOUT_MS });
    searchMs = performance.now() - searchStart;
    searchBlockedMs = await searchWatch.stop();
  }

  await probe.call('POST', '/close');
  await page.locator('iframe.webview').first().waitFor({ state: 'detached', timeout: 60_000 });
  const { rss, heapUsed } = await probe.call<{ rss: number; heapUsed: number }>('GET', '/memory');
  return { ...(error ? { error } : { openMs, wholeMs }), blockedMs, loopDelayMs, ...(searchMs !== undefined ? { searchMs, searchBlockedMs } : {}), rssAfterCloseMb: rss / 1048576, heapAfterCloseMb: heapUsed / 1048576 };
}

async function main(): Promise<void> {
  if (!existsSync(CODE_SERVER)) {
    console.log(`editor bench skipped: no code-server rig at ${CODE_SERVER} (scripts/rig/install.sh installs it; npm run test:editor does too).`);
    return;
  }
  if (!existsSync(path.join(REPO, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run npm run build first');

  const loadAtStart = os.loadavg();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'costar-bench-editor-'));
  const rows: Record<string, string>[] = [];
  let finished = false;
  /** Every trace file written (the store's copies are hard links inside the workspace). */
  const written: string[] = [];
  try {
    const server = await startCodeServer({
      runDir: path.join(tmp, 'run'), fixture: path.join(REPO, 'test', 'fixtures', 'editor-ws'), omit: ['trouble.scenario.yaml'],
      installExtensions: [PROBE],
    });
    const browser = await openBrowser();
    try {
      const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${REPO}`]];
      await browser.page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
      await browser.page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
      const probeFile = path.join(server.runDir, 'exts', PROBE_ID, 'probe.json');
      const { port } = await waitFor('the bench probe extension to listen', (): { port: number } | undefined => (existsSync(probeFile) ? JSON.parse(readFileSync(probeFile, 'utf8')) : undefined), 120_000, 200);
      const probe = new Probe(port);

      const storeDir = path.join(server.workspace, '.costar', 'traces');
      mkdirSync(storeDir, { recursive: true });
      const place = async (n: number) => {
        const traceId = `b${n.toString(16).padStart(31, '0')}`;
        const file = path.join(tmp, `realistic-${n}.trace.json`);
        const summary = await writeRealisticTrace(file, n, traceId);
        const stored = path.join(storeDir, `${traceId}.trace.json`);
        linkSync(file, stored);
        // A trace a run records gets its outline beside it from the store; this one is written
        // by the bench, so the same outline is built for it here, before the timing starts.
        const outlineFile = outlinePathOf(stored);
        written.push(file, stored, outlineFile);
        await loadOutline(stored, { outlineFile });
        const links: string[] = [];
        const fresh = () => {
          const link = path.join(tmp, `realistic-${n}-${links.length + 1}.trace.json`);
          linkSync(file, link);
          links.push(link);
          written.push(link);
          return link;
        };
        return { file, stored, traceId, summary, fresh, links };
      };

      // One small opening per route first: the viewer's code loads on its first use, once per session.
      const warm = await place(1000);
      for (const route of ROUTES) await openOnce(browser.page, probe, route, warm);
      for (const f of [warm.file, warm.stored, ...warm.links]) rmSync(f);

      for (const n of SIZES) {
        const target = await place(n);
        for (const route of ROUTES) {
          const openings: Opening[] = [];
          // "Again" is about a file opened before: the first opening (not timed) caches its outline.
          if (route === 'again') await openOnce(browser.page, probe, route, target);
          for (let i = 0; i < OPENINGS; i++) openings.push(await openOnce(browser.page, probe, route, target));
          const errors = openings.filter((o) => o.error);
          const pick = (f: (o: Opening) => number | undefined) => {
            const values = openings.map(f).filter((v): v is number => v !== undefined);
            return values.length ? median(values) : undefined;
          };
          rows.push({
            spans: n.toLocaleString('en'),
            opened: ROUTE_NAMES[route],
            file: mb(target.summary.bytes),
            'open → rows': errors.length ? `error: ${errors[0]!.error!.replace(/^.*\.trace\.json: /, '').slice(0, 100)}` : seconds(pick((o) => o.openMs)),
            'whole tree': seconds(pick((o) => o.wholeMs)),
            'host blocked max': seconds(pick((o) => o.blockedMs)),
            'event-loop delay max': seconds(pick((o) => o.loopDelayMs)),
            'first search': seconds(pick((o) => o.searchMs)),
            'host blocked in search': seconds(pick((o) => o.searchBlockedMs)),
            'host RSS after close': `${pick((o) => o.rssAfterCloseMb)!.toFixed(0)} MB`,
            'host heap after close': `${pick((o) => o.heapAfterCloseMb)!.toFixed(0)} MB`,
          });
          console.log(JSON.stringify(rows.at(-1)));
        }
        for (const f of [target.file, target.stored, ...target.links]) rmSync(f);
      }
      const { errors } = await probe.call<{ errors: string[] }>('GET', '/errors');
      if (errors.length) console.log(`commands that failed in the host:\n${errors.join('\n')}`);
      if (browser.outsideRequests.length) throw new Error(`requests to outside hosts: ${browser.outsideRequests.join(', ')}`);
      finished = true;
    } finally {
      await browser.close();
      await server.stop();
    }
  } finally {
    // The traces always go; the editor's logs stay when something failed.
    for (const file of written) rmSync(file, { force: true });
    if (finished) rmSync(tmp, { recursive: true, force: true });
    else console.error(`code-server and extension host logs kept in ${path.join(tmp, 'run')} (traces removed)`);
  }
  console.table(rows);
  const load = (l: number[]) => l.map((v) => v.toFixed(1)).join(' / ');
  console.log(`median of ${OPENINGS} openings; ${os.cpus().length} cores; load average (1 / 5 / 15 min) ${load(loadAtStart)} at the start, ${load(os.loadavg())} at the end; ${new Date().toISOString()}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
