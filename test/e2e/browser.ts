/**
 * Debian chromium driven by playwright-core. Every request to a host other than 127.0.0.1
 * is aborted and recorded: tests assert the list stays empty (nothing leaves the machine).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';

export interface TestBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** URLs of requests to other hosts that were attempted (and aborted). */
  outsideRequests: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<TestBrowser> {
  const browser = await launchChromium();
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
