/**
 * Runs the built dashboard webview in real Chromium the way VS Code hosts it: the page is the
 * HTML our extension generates (same CSP, same embedded state), served from a 127.0.0.1
 * server standing in for the webview resource origin, with a stub `acquireVsCodeApi` that
 * records what the webview posts. Requests to any other origin are aborted and recorded.
 */
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderDashboardHtml } from '../../src/extension/dashboard/html';
import type { DashboardState } from '../../src/shared/dashboardProtocol';

const DIST = path.resolve(__dirname, '../../dist/webview');

/** A few of the theme variables VS Code injects (dark theme), so the screenshot looks like the editor. */
const THEME = `:root { --vscode-foreground: #cccccc; --vscode-editor-background: #1f1f1f; --vscode-font-family: sans-serif; --vscode-font-size: 13px;
  --vscode-descriptionForeground: #9d9d9d; --vscode-panel-border: #2b2b2b; --vscode-errorForeground: #f85149; --vscode-focusBorder: #0078d4;
  --vscode-charts-blue: #3794ff; --vscode-charts-red: #f14c4c; --vscode-charts-green: #89d185; --vscode-charts-purple: #b180d7;
  --vscode-charts-yellow: #cca700; --vscode-charts-orange: #d18616; --vscode-testing-iconPassed: #73c991; --vscode-testing-iconFailed: #f14c4c;
  --vscode-textLink-foreground: #4daafc; --vscode-badge-background: #616161; --vscode-button-background: #0078d4; --vscode-button-foreground: #fff;
  --vscode-inputValidation-errorBackground: #5a1d1d; --vscode-editor-font-family: monospace; }`;

export interface OpenedDashboard {
  page: Page;
  /** Messages the webview posted to the host, in order. */
  posted: unknown[];
  /** Every URL the page requested. */
  requests: string[];
  /** Uncaught exceptions and console errors. */
  errors: string[];
}

export interface DashboardHarness {
  origin: string;
  open(state: DashboardState): Promise<OpenedDashboard>;
  close(): Promise<void>;
}

export function dashboardBuilt(): boolean {
  return existsSync(path.join(DIST, 'dashboard.js'));
}

export async function startDashboardHarness(): Promise<DashboardHarness> {
  if (!dashboardBuilt()) throw new Error('dist/webview/dashboard.js is missing: run `npm run build` first.');
  const pages = new Map<string, string>();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const html = pages.get(url.pathname);
    if (html !== undefined) return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    if (url.pathname === '/theme.css') return void res.writeHead(200, { 'content-type': 'text/css' }).end(THEME);
    const file = path.join(DIST, path.normalize(url.pathname.replace(/^\/webview\//, '')));
    if (!url.pathname.startsWith('/webview/') || !file.startsWith(DIST)) return void res.writeHead(404).end();
    try {
      res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/css' }).end(await readFile(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  let next = 0;

  async function open(state: DashboardState): Promise<OpenedDashboard> {
    const pagePath = `/dashboard-${next++}.html`;
    pages.set(pagePath, renderDashboardHtml({
      cspSource: origin,
      scriptUri: `${origin}/webview/dashboard.js`,
      styleUris: [`${origin}/theme.css`, `${origin}/webview/dashboard.css`],
      state,
    }));
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const posted: unknown[] = [];
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.route((url) => url.origin !== origin, (route) => route.abort());
    await page.exposeFunction('__costarHostReceive', (message: unknown) => { posted.push(message); });
    // A string, not a function: tsx would wrap a function's helpers in its own `__name`, which the page lacks.
    await page.addInitScript(`(() => {
      let state;
      window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__costarHostReceive(m), getState: () => state, setState: (s) => { state = s; } });
    })();`);
    await page.goto(`${origin}${pagePath}`);
    try {
      await page.waitForFunction(() => performance.getEntriesByName('costar-dashboard-painted').length > 0, undefined, { timeout: 20_000 });
    } catch (error) {
      throw new Error(`the dashboard did not paint; page errors: ${errors.join(' | ') || 'none'}`, { cause: error });
    }
    return { page, posted, requests, errors };
  }

  return {
    origin,
    open,
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
