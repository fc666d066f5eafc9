/**
 * What every webview test needs, the way VS Code provides it: a local origin serving the page
 * HTML and the built bundles from dist/webview (plus test-only stylesheets), Debian's Chromium,
 * and pages with a stub `acquireVsCodeApi` that hands posted messages to the test. Every
 * request to another origin is aborted and recorded, so a test can assert none was attempted.
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';

const DIST = path.resolve(__dirname, '../../dist/webview');

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf' };

export interface WebviewHost {
  origin: string;
  browser: Browser;
  /** Serves `html` at a new path and returns its URL. */
  addPage(name: string, html: string): string;
  /** A page that records requests and errors, with `acquireVsCodeApi` stubbed: posted messages go to `onPost`. */
  newPage(options: StubbedPageOptions): Promise<StubbedPage>;
  close(): Promise<void>;
}

export interface StubbedPageOptions {
  viewport: { width: number; height: number };
  onPost(message: unknown): unknown;
  /** What `getState()` returns before the page saves any state. */
  savedState?: unknown;
}

export interface StubbedPage {
  page: Page;
  /** Every URL the page requested (including the aborted ones). */
  requests: string[];
  /** Uncaught exceptions and console errors of the page. */
  errors: string[];
  /** Dispatches a message to the page as the extension host would. */
  send(message: unknown): Promise<void>;
}

/** `extraFiles`: path → CSS served at that path (theme variables VS Code would inject). */
export async function startWebviewHost(extraFiles: Record<string, string> = {}, extraArgs: string[] = []): Promise<WebviewHost> {
  const pages = new Map<string, string>();
  let next = 0;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const html = pages.get(url.pathname);
    if (html !== undefined) return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    const extra = extraFiles[url.pathname];
    if (extra !== undefined) return void res.writeHead(200, { 'content-type': 'text/css' }).end(extra);
    const file = path.join(DIST, path.normalize(url.pathname.replace(/^\/webview\//, '')));
    if (!url.pathname.startsWith('/webview/') || !file.startsWith(DIST)) return void res.writeHead(404).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium(extraArgs);

  return {
    origin,
    browser,
    addPage(name, html) {
      const pagePath = `/${name}-${next++}.html`;
      pages.set(pagePath, html);
      return `${origin}${pagePath}`;
    },
    async newPage(options) {
      const page = await (await browser.newContext({ viewport: options.viewport })).newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      // Anything not served by our origin is cut off, so a successful injection could not even phone home.
      await page.route((url) => url.origin !== origin, (route) => route.abort());
      await page.exposeFunction('__costarHostReceive', (message: unknown) => options.onPost(message));
      // A string, not a function: tsx would wrap a function's inner helpers in its own `__name`, which the page lacks.
      await page.addInitScript(`(() => {
        let state = ${JSON.stringify(options.savedState ?? null)} ?? undefined;
        window.acquireVsCodeApi = () => ({
          postMessage: (m) => window.__costarHostReceive(m),
          getState: () => state,
          setState: (s) => { state = s; window.__costarSavedState = s; },
        });
      })();`);
      const send = async (message: unknown): Promise<void> => {
        await page.evaluate((m) => window.dispatchEvent(new MessageEvent('message', { data: m })), message);
      };
      return { page, requests, errors, send };
    },
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
