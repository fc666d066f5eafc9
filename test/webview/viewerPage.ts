/**
 * Runs the built trace viewer webview in real Chromium, the way VS Code would host it: the
 * page is the HTML our extension generates (same CSP, same embedded state), served from a
 * local 127.0.0.1 server standing in for the webview resource origin. A stub
 * `acquireVsCodeApi` forwards the webview's messages to a real TraceViewerController (over a
 * stored trace, its outline and a worker thread), and the controller's answers are dispatched
 * back as `message` events.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TraceViewerController } from '../../src/extension/traceViewer/controller';
import { BUILT_WORKER, openTestViewer, type TestViewerInput } from '../support/traceViewer';
import type { TraceSession } from '../../src/extension/traceViewer/session';
import { renderViewerHtml } from '../../src/extension/traceViewer/html';
import type { HostMessage, ViewerState } from '../../src/shared/traceViewerProtocol';
import { startWebviewHost, type StubbedPage } from './webviewHost';

const DIST = path.resolve(__dirname, '../../dist/webview');

/** A few theme variables as VS Code injects them, so screenshots look like the editor. */
const THEMES: Record<'light' | 'dark', string> = {
  light: `:root { --vscode-foreground: #3b3b3b; --vscode-editor-background: #ffffff; --vscode-font-family: sans-serif; --vscode-font-size: 13px;
    --vscode-descriptionForeground: #717171; --vscode-panel-border: #e5e5e5; --vscode-list-hoverBackground: #f2f2f2;
    --vscode-list-activeSelectionBackground: #e4e6f1; --vscode-list-activeSelectionForeground: #000; --vscode-list-inactiveSelectionBackground: #e4e6f1;
    --vscode-errorForeground: #e51400; --vscode-charts-blue: #1a85ff; --vscode-charts-red: #e51400; --vscode-charts-green: #388a34;
    --vscode-charts-purple: #652d90; --vscode-charts-yellow: #bf8803; --vscode-charts-orange: #d18616; --vscode-testing-iconPassed: #388a34; --vscode-testing-iconFailed: #e51400;
    --vscode-input-background: #fff; --vscode-input-foreground: #3b3b3b; --vscode-input-border: #cecece; --vscode-focusBorder: #005fb8;
    --vscode-textCodeBlock-background: #f3f3f3; --vscode-textLink-foreground: #005fb8; --vscode-badge-background: #cce6ff; --vscode-badge-foreground: #3b3b3b;
    --vscode-inputValidation-errorBackground: #f2dede; --vscode-inputValidation-errorBorder: #be1100; --vscode-editor-findMatchHighlightBackground: #ea5c0055;
    --vscode-editor-findMatchBackground: #a8ac94; --vscode-editor-font-family: monospace; --vscode-editor-font-size: 12px; }`,
  dark: `:root { --vscode-foreground: #cccccc; --vscode-editor-background: #1f1f1f; --vscode-font-family: sans-serif; --vscode-font-size: 13px;
    --vscode-descriptionForeground: #9d9d9d; --vscode-panel-border: #2b2b2b; --vscode-list-hoverBackground: #2a2d2e;
    --vscode-list-activeSelectionBackground: #04395e; --vscode-list-activeSelectionForeground: #fff; --vscode-list-inactiveSelectionBackground: #37373d;
    --vscode-errorForeground: #f85149; --vscode-charts-blue: #3794ff; --vscode-charts-red: #f14c4c; --vscode-charts-green: #89d185;
    --vscode-charts-purple: #b180d7; --vscode-charts-yellow: #cca700; --vscode-charts-orange: #d18616; --vscode-testing-iconPassed: #73c991; --vscode-testing-iconFailed: #f14c4c;
    --vscode-input-background: #313131; --vscode-input-foreground: #cccccc; --vscode-input-border: #3c3c3c; --vscode-focusBorder: #0078d4;
    --vscode-textCodeBlock-background: #2b2b2b; --vscode-textLink-foreground: #4daafc; --vscode-badge-background: #616161; --vscode-badge-foreground: #f8f8f8;
    --vscode-inputValidation-errorBackground: #5a1d1d; --vscode-inputValidation-errorBorder: #be1100; --vscode-editor-findMatchHighlightBackground: #ea5c0055;
    --vscode-editor-findMatchBackground: #9e6a03; --vscode-editor-font-family: monospace; --vscode-editor-font-size: 12px; }`,
};

export interface ViewerHarness {
  browser: Browser;
  origin: string;
  /** Stores `input.trace` in a temp workspace and opens it through a real session (worker from dist/). */
  open(input: TestViewerInput, options?: OpenOptions): Promise<OpenedViewer>;
  close(): Promise<void>;
}

export interface OpenOptions {
  theme?: 'light' | 'dark';
  /** What `getState()` returns, as after a reload. */
  savedState?: ViewerState;
  viewport?: { width: number; height: number };
}

export interface OpenedViewer {
  page: Page;
  controller: TraceViewerController;
  session: TraceSession;
  /** Every URL the page requested. */
  requests: string[];
  /** Uncaught exceptions and console errors of the page. */
  errors: string[];
  /** Messages the webview posted to the host, in order. */
  posted: unknown[];
  /** "workspace:traceId" of each trace the controller asked the editor to promote to a scenario draft. */
  promoted: string[];
  /** The last state the webview saved. */
  state(): Promise<ViewerState | undefined>;
  /** Sends a message as the host would. */
  send(message: HostMessage): Promise<void>;
}

export function webviewBuilt(): boolean {
  return existsSync(path.join(DIST, 'trace-viewer.js'));
}

export async function startViewerHarness(): Promise<ViewerHarness> {
  if (!webviewBuilt()) throw new Error('dist/webview/trace-viewer.js is missing: run `npm run build` first.');
  const host = await startWebviewHost({ '/theme-light.css': THEMES.light, '/theme-dark.css': THEMES.dark }, ['--enable-precise-memory-info']);
  const { origin } = host;

  const sessions: TraceSession[] = [];

  async function open(input: TestViewerInput, options: OpenOptions = {}): Promise<OpenedViewer> {
    const { controller, session } = await openTestViewer(input, BUILT_WORKER);
    sessions.push(session);
    const url = host.addPage('viewer', renderViewerHtml({
      cspSource: origin,
      scriptUri: `${origin}/webview/trace-viewer.js`,
      styleUris: [`${origin}/theme-${options.theme ?? 'light'}.css`, `${origin}/webview/trace-viewer.css`],
      page: await controller.page(),
    }));
    const posted: unknown[] = [];
    const promoted: string[] = [];
    const stub: StubbedPage = await host.newPage({
      viewport: options.viewport ?? { width: 1280, height: 800 },
      savedState: options.savedState,
      onPost: (message) => {
        posted.push(message);
        void controller.handle(message, {
          post: (m) => void stub.send(m).catch(() => {}), openArtifact: () => {}, promote: (traceId, workspaceDir) => promoted.push(`${workspaceDir}:${traceId}`), log: () => {},
        });
      },
    });
    const { page, requests, errors } = stub;
    await page.goto(url);
    try {
      await page.waitForFunction(() => performance.getEntriesByName('costar-tree-painted').length > 0, undefined, { timeout: 20_000 });
    } catch (error) {
      throw new Error(`the viewer did not paint its tree; page errors: ${errors.join(' | ') || 'none'}`, { cause: error });
    }
    return {
      page, controller, session, requests, posted, promoted, errors,
      send: (message: HostMessage) => stub.send(message),
      state: () => page.evaluate(() => (window as unknown as { __costarSavedState?: ViewerState }).__costarSavedState),
    };
  }

  return {
    browser: host.browser, origin, open,
    close: async () => {
      await Promise.all(sessions.map((s) => s.close()));
      await host.close();
    },
  };
}
