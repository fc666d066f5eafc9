/**
 * Runs the built dashboard webview in real Chromium the way VS Code hosts it: the page is the
 * HTML our extension generates (same CSP, same embedded state), served from a 127.0.0.1
 * server standing in for the webview resource origin, with a stub `acquireVsCodeApi` that
 * records what the webview posts. Requests to any other origin are aborted and recorded.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { renderDashboardHtml } from '../../src/extension/dashboard/html';
import type { DashboardState } from '../../src/shared/dashboardProtocol';
import { startWebviewHost } from './webviewHost';

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
  const host = await startWebviewHost({ '/theme.css': THEME });
  const { origin } = host;

  async function open(state: DashboardState): Promise<OpenedDashboard> {
    const url = host.addPage('dashboard', renderDashboardHtml({
      cspSource: origin,
      scriptUri: `${origin}/webview/dashboard.js`,
      styleUris: [`${origin}/theme.css`, `${origin}/webview/dashboard.css`],
      state,
    }));
    const posted: unknown[] = [];
    const { page, requests, errors } = await host.newPage({ viewport: { width: 1280, height: 900 }, onPost: (message) => posted.push(message) });
    await page.goto(url);
    try {
      await page.waitForFunction(() => performance.getEntriesByName('costar-dashboard-painted').length > 0, undefined, { timeout: 20_000 });
    } catch (error) {
      throw new Error(`the dashboard did not paint; page errors: ${errors.join(' | ') || 'none'}`, { cause: error });
    }
    return { page, posted, requests, errors };
  }

  return { origin, open, close: () => host.close() };
}
