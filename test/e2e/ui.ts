/**
 * (B) What a person sees: code-server in chromium with the extension loaded for
 * development, the Testing view, a click on Run, pass/fail rows and the failure message.
 * Selectors and races are the ones recorded in /work/shared/TESTING.md (VS Code 1.139.1).
 */
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { openBrowser } from './browser';
import { REPO, startCodeServer } from './codeServer';
import { waitFor } from './waitFor';

export interface UiTest {
  name: string;
  run(page: Page, outsideRequests: string[]): Promise<void>;
}

const sidebar = '.part.sidebar';

/**
 * A Testing view row by the label it shows first. Its aria-label is "<description or label>
 * (<state>)", so the state is matched there and the label in the row's text.
 */
function row(page: Page, label: string, state?: string) {
  return page
    .locator(`${sidebar} .monaco-list-row${state ? `[aria-label*="(${state})"]` : ''}`)
    .filter({ hasText: new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![a-z0-9_.-])`) })
    .first();
}

async function openTestingView(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const testing = page.locator('.part.activitybar a.action-label[aria-label="Testing"]');
  await testing.waitFor({ timeout: 60_000 });
  await testing.click();
}

/** Expands rows until the labelled row is visible (the tree starts collapsed below the root). */
async function revealRow(page: Page, label: string, parents: string[]): Promise<void> {
  for (const parent of parents) {
    const parentRow = row(page, parent);
    await parentRow.waitFor({ timeout: 60_000 });
    if ((await parentRow.getAttribute('aria-expanded')) === 'false') await parentRow.locator('.monaco-tl-twistie').click();
  }
  await row(page, label).waitFor({ timeout: 30_000 });
}

export const uiTests: UiTest[] = [
  {
    name: 'the Testing view lists the scenarios; Run shows pass/fail rows and the failure message',
    async run(page, outsideRequests) {
      await openTestingView(page);
      await revealRow(page, 'polite', ['ws', 'greetings.scenario.yaml']);
      // The run profile reaches the workbench after the items: wait for the inline action.
      const politeRow = row(page, 'polite');
      await politeRow.hover();
      await politeRow.locator('a.action-label[aria-label="Run Test"]').waitFor({ state: 'attached', timeout: 30_000 });

      const runAll = page.locator(`${sidebar} .title-actions a.action-label[aria-label="Run Tests"]`);
      const failedRow = row(page, 'polite', 'Failed');
      // A run right after activation is sometimes dropped: click again if no result came.
      await waitFor('a finished run (polite failed)', async () => {
        await runAll.click();
        await failedRow.waitFor({ timeout: 8000 }).catch(() => undefined);
        return failedRow.isVisible();
      }, 60_000, 0);
      await row(page, 'greets', 'Passed').waitFor({ timeout: 10_000 });

      await failedRow.click();
      const showOutput = page.locator('a.action-label[aria-label^="Show Output"]:not(.disabled)').first();
      await showOutput.click();
      const messageRow = page.locator('.part.panel .monaco-list-row').filter({ hasText: 'says please' }).first();
      await messageRow.waitFor({ timeout: 20_000 });
      // The row shows the message's first line; opening it shows the judge's rationale.
      await messageRow.dblclick();
      await waitFor('the rationale of the failing judge on screen', async () => {
        const text = await page.locator('.monaco-workbench').innerText().catch(() => '');
        return text.includes('does not contain');
      }, 20_000);
      if (outsideRequests.length > 0) throw new Error(`requests to outside hosts: ${outsideRequests.join(', ')}`);
    },
  },
];

/** Starts a fresh code-server per test, with the repo loaded as a development extension. */
export async function runUiTest(test: UiTest, runDir: string, fixture: string): Promise<void> {
  const server = await startCodeServer({ runDir, fixture, omit: ['trouble.scenario.yaml'] });
  const browser = await openBrowser();
  try {
    const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${REPO}`]];
    await browser.page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    await test.run(browser.page, browser.outsideRequests);
  } catch (error) {
    await browser.page.screenshot({ path: `${runDir}/failure.png`, fullPage: true }).catch(() => undefined);
    // The rows' accessible names are what the selectors match: keep them for diagnosis.
    const labels = await browser.page.locator('.monaco-list-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label'))).catch(() => []);
    writeFileSync(`${runDir}/rows.txt`, labels.join('\n'));
    throw error;
  } finally {
    await browser.close();
    await server.stop();
  }
}
