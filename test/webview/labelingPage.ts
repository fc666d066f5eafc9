/**
 * Runs the built labeling webview in real Chromium as VS Code would host it: the HTML our
 * extension generates (same CSP, embedded state) served from a 127.0.0.1 origin standing in
 * for the webview resource origin, a stub `acquireVsCodeApi` whose messages go to a real
 * LabelingController over a real workspace, and the controller's answers dispatched back.
 */
import type { Page } from 'playwright-core';
import { LabelingController, type LabelingOptions } from '../../src/extension/labeling/controller';
import { renderLabelingHtml } from '../../src/extension/labeling/html';
import type { HostMessage } from '../../src/shared/labelingProtocol';
import { startWebviewHost, type StubbedPage } from './webviewHost';

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
  /** Sends a message as the extension would. */
  send(message: HostMessage): Promise<void>;
}

export async function startLabelingHarness(): Promise<LabelingHarness> {
  const host = await startWebviewHost();
  const { origin } = host;

  async function open(options: LabelingOptions): Promise<OpenedPanel> {
    const controller = new LabelingController(options);
    const url = host.addPage('labeling', renderLabelingHtml({ cspSource: origin, scriptUri: `${origin}/webview/labeling.js`, styleUris: [`${origin}/webview/labeling.css`], state: await controller.state() }));
    const posted: OpenedPanel['posted'] = [];
    const answered: HostMessage[] = [];
    const opened: string[] = [];
    const stub: StubbedPage = await host.newPage({
      viewport: { width: 1200, height: 900 },
      onPost: async (message) => {
        posted.push(message as OpenedPanel['posted'][number]);
        await controller.handle(message, {
          post: (m) => {
            answered.push(m);
            void stub.send(m).catch(() => {});
          },
          openTrace: (traceId) => opened.push(traceId),
          log: () => {},
        });
      },
    });
    const panel: OpenedPanel = { page: stub.page, controller, posted, answered, opened, errors: stub.errors, requests: stub.requests, send: (m) => stub.send(m) };
    await panel.page.goto(url);
    await panel.page.locator('.header').waitFor({ timeout: 5000 }).catch((e: Error) => { throw new Error(`${e.message}\n${panel.errors.join('\n')}`); });
    return panel;
  }

  return { open, close: () => host.close() };
}
