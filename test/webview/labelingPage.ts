/**
 * Runs the built labeling webview in real Chromium as VS Code would host it: the HTML our
 * extension generates (same CSP, embedded state) served from a 127.0.0.1 origin standing in
 * for the webview resource origin, a stub `acquireVsCodeApi` whose messages go to a real
 * LabelingController over a real workspace, and the controller's answers dispatched back.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { LabelingController, type LabelingOptions } from '../../src/extension/labeling/controller';
import { renderLabelingHtml } from '../../src/extension/labeling/html';
import type { HostMessage } from '../../src/shared/labelingProtocol';

const DIST = path.resolve(__dirname, '../../dist/webview');

export interface LabelingHarness {
  open(options: LabelingOptions): Promise<OpenedPanel>;
  close(): Promise<void>;
}

export interface OpenedPanel {
  page: Page;
  controller: LabelingController;
  /** Messages the webview posted, in order. */
  posted: { type: string; [key: string]: unknown }[];
  /** Host messages answered so far (so tests can wait for the host to finish). */
  answered: HostMessage[];
  opened: string[];
  errors: string[];
  requests: string[];
}

export async function startLabelingHarness(): Promise<LabelingHarness> {
  const pages = new Map<string, string>();
  let next = 0;
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const html = pages.get(url.pathname);
    if (html !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    const file = path.join(DIST, path.normalize(url.pathname.replace(/^\/webview\//, '')));
    if (!url.pathname.startsWith('/webview/') || !file.startsWith(DIST)) {
      res.writeHead(404).end();
      return;
    }
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

  async function open(options: LabelingOptions): Promise<OpenedPanel> {
    const controller = new LabelingController(options);
    const pagePath = `/labeling-${next++}.html`;
    pages.set(pagePath, renderLabelingHtml({ cspSource: origin, scriptUri: `${origin}/webview/labeling.js`, styleUris: [`${origin}/webview/labeling.css`], state: await controller.state() }));
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    const panel: OpenedPanel = { page, controller, posted: [], answered: [], opened: [], errors: [], requests: [] };
    page.on('request', (r) => panel.requests.push(r.url()));
    page.on('pageerror', (e) => panel.errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') panel.errors.push(`console: ${m.text()}`); });
    await page.route((url) => url.origin !== origin, (route) => route.abort());
    const send = (message: HostMessage) => page.evaluate((m) => window.dispatchEvent(new MessageEvent('message', { data: m })), message);
    await page.exposeFunction('__costarHostReceive', async (message: { type: string }) => {
      panel.posted.push(message);
      await controller.handle(message, {
        post: (m) => {
          panel.answered.push(m);
          void send(m).catch(() => {});
        },
        openTrace: (traceId) => panel.opened.push(traceId),
        log: () => {},
      });
    });
    // A string, not a function: tsx would otherwise wrap names in a helper the page lacks.
    await page.addInitScript(`
      let state;
      window.acquireVsCodeApi = () => ({
        postMessage: (m) => window.__costarHostReceive(m),
        getState: () => state,
        setState: (s) => { state = s; },
      });
    `);
    await page.goto(`${origin}${pagePath}`);
    await page.locator('.header').waitFor({ timeout: 5000 }).catch((e: Error) => { throw new Error(`${e.message}\n${panel.errors.join('\n')}`); });
    return panel;
  }

  return {
    open,
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
