/**
 * Debian chromium driven by playwright-core. Every request to a host other than 127.0.0.1
 * is aborted and recorded: tests assert the list stays empty (nothing leaves the machine).
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export interface TestBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** URLs of requests to other hosts that were attempted (and aborted). */
  outsideRequests: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const outsideRequests: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    const local = url.hostname === '127.0.0.1' || ['data:', 'blob:', 'vscode-webview:', 'vscode-file:'].includes(url.protocol);
    if (local) return route.continue();
    outsideRequests.push(url.href);
    return route.abort();
  });
  const page = await context.newPage();
  return { browser, context, page, outsideRequests, close: () => browser.close() };
}
