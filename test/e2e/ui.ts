/**
 * (B) What a person sees: code-server in chromium with the extension loaded for
 * development. Each UI test gets a fresh code-server on a copy of the fixture workspace; a
 * test may start its own servers first (setUp: e.g. the test model server, and the user
 * settings pointing at it) and prepare the workspace before the workbench opens.
 * Selectors and races are the ones recorded in docs/testing.md (VS Code 1.139.1).
 */
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { openBrowser } from './browser';
import { REPO, startCodeServer, type CodeServer } from './codeServer';
import { alignTest } from './uiAlign';
import { apiKeyTest } from './uiApiKey';
import { dashboardTest } from './uiDashboard';
import { labelingTest } from './uiLabeling';
import { promoteTest } from './uiPromote';
import { traceFileTest } from './uiTraceFile';
import { traceViewerTest } from './uiTraceViewer';
import { tracesViewTest } from './uiTracesView';
import { openTestingView, revealRow, row, runAllButton } from './workbench';
import { waitFor } from './waitFor';

export interface UiContext {
  page: Page;
  server: CodeServer;
}

export interface UiSetUp {
  /** User settings added to the code-server's settings.json. */
  settings?: Record<string, unknown>;
  tearDown?(): Promise<void>;
}

export interface UiTest {
  name: string;
  /** Before code-server starts. */
  setUp?(): Promise<UiSetUp>;
  /** After the workspace copy exists, before the workbench opens it. */
  prepareWorkspace?(workspace: string): Promise<void>;
  run(context: UiContext): Promise<void>;
}

const testingViewTest: UiTest = {
  name: 'the Testing view lists the scenarios; Run shows pass/fail rows and the failure message',
  async run({ page }) {
    await openTestingView(page);
    await revealRow(page, 'polite', ['ws', 'greetings.scenario.yaml']);
    // The run profile reaches the workbench after the items: wait for the inline action.
    const politeRow = row(page, 'polite');
    await politeRow.hover();
    await politeRow.locator('a.action-label[aria-label="Run Test"]').waitFor({ state: 'attached', timeout: 30_000 });

    const failedRow = row(page, 'polite', 'Failed');
    // One click: the first run after activation is not dropped, only slow (cold harness and
    // agent processes: 4–9 s measured on a loaded 2-core machine), so wait for it.
    await runAllButton(page).click();
    await failedRow.waitFor({ timeout: 60_000 });
    await row(page, 'greets', 'Passed').waitFor({ timeout: 10_000 });

    await failedRow.click();
    const showOutput = page.locator('a.action-label[aria-label^="Show Output"]:not(.disabled)').first();
    await showOutput.click();
    const messageRow = page.locator('.part.panel .monaco-list-row').filter({ hasText: 'says please' }).first();
    await messageRow.waitFor({ timeout: 20_000 });
    // The tree shows the message's Markdown source: no escapes a person would see.
    const rowText = await messageRow.innerText();
    if (!rowText.includes('says please failed') || rowText.includes('\\')) throw new Error(`the Test Results row reads ${JSON.stringify(rowText)}`);
    // The row shows the message's first line; opening it shows the judge's rationale.
    await messageRow.dblclick();
    await waitFor('the rationale of the failing judge on screen', async () => {
      const text = await page.locator('.monaco-workbench').innerText().catch(() => '');
      return text.includes('does not contain');
    }, 20_000);
  },
};

export const uiTests: UiTest[] = [testingViewTest, apiKeyTest(), traceViewerTest(), labelingTest(), dashboardTest(), promoteTest(), alignTest(), tracesViewTest(), traceFileTest()];

/** Starts a fresh code-server per test, with the repo loaded as a development extension. */
export async function runUiTest(test: UiTest, runDir: string, fixture: string): Promise<void> {
  const setUp = (await test.setUp?.()) ?? {};
  try {
    const server = await startCodeServer({ runDir, fixture, omit: ['trouble.scenario.yaml'], extraSettings: setUp.settings });
    try {
      await test.prepareWorkspace?.(server.workspace);
      await runInBrowser(test, server, runDir);
    } finally {
      await server.stop();
    }
  } finally {
    await setUp.tearDown?.();
  }
}

async function runInBrowser(test: UiTest, server: CodeServer, runDir: string): Promise<void> {
  const browser = await openBrowser();
  const consoleLines: string[] = [];
  browser.page.on('console', (message) => consoleLines.push(message.text()));
  try {
    const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${REPO}`]];
    await browser.page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    await test.run({ page: browser.page, server });
    if (browser.outsideRequests.length > 0) throw new Error(`requests to outside hosts: ${browser.outsideRequests.join(', ')}`);
  } catch (error) {
    await browser.page.screenshot({ path: `${runDir}/failure.png`, fullPage: true }).catch(() => undefined);
    // The rows' accessible names are what the selectors match: keep them for diagnosis.
    const labels = await browser.page.locator('.monaco-list-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label'))).catch(() => []);
    writeFileSync(`${runDir}/rows.txt`, labels.join('\n'));
    writeFileSync(`${runDir}/browser-console.log`, consoleLines.join('\n'));
    throw error;
  } finally {
    await browser.close();
  }
}
