/**
 * Steps a person takes in the code-server workbench (VS Code 1.139.1), shared by the UI
 * tests: the Testing view's rows, running one scenario, the command palette, webview content.
 * Selectors and races are the ones recorded in docs/testing.md.
 */
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { waitFor } from './waitFor';

const sidebar = '.part.sidebar';

/**
 * A Testing view row by the label it shows first. Its aria-label is "<description or label>
 * (<state>)", so the state is matched there and the label in the row's text.
 */
export function row(page: Page, label: string, state?: string): Locator {
  return page
    .locator(`${sidebar} .monaco-list-row${state ? `[aria-label*="(${state})"]` : ''}`)
    .filter({ hasText: new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![a-z0-9_.-])`) })
    .first();
}

export async function openTestingView(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const testing = page.locator('.part.activitybar a.action-label[aria-label="Testing"]');
  await testing.waitFor({ timeout: 60_000 });
  await testing.click();
}

/** Expands rows until the labelled row is visible (the tree starts collapsed below the root). */
export async function revealRow(page: Page, label: string, parents: string[]): Promise<void> {
  for (const parent of parents) {
    const parentRow = row(page, parent);
    await parentRow.waitFor({ timeout: 60_000 });
    if ((await parentRow.getAttribute('aria-expanded')) === 'false') await parentRow.locator('.monaco-tl-twistie').click();
  }
  await row(page, label).waitFor({ timeout: 30_000 });
}

/**
 * The Test Explorer's "Run Tests" action: in the container's title while Test Explorer is the
 * Testing container's only view, in the Test Explorer pane's own header once another view
 * (coSTAR Traces) shares the container. Header actions are always shown (USER_SETTINGS).
 */
export function runAllButton(page: Page): Locator {
  return page.locator(`${sidebar} :is(.title-actions, .pane-header) a.action-label[aria-label="Run Tests"]`).first();
}

/**
 * Runs one scenario with its row's inline "Run Test" action and waits for the row to show
 * `state`. The run profile reaches the workbench after the items: wait for the action. One
 * click is enough; the first run after activation is slow (cold processes), not dropped.
 */
export async function runRow(page: Page, label: string, parents: string[], state: 'Passed' | 'Failed'): Promise<Locator> {
  await openTestingView(page);
  await revealRow(page, label, parents);
  const target = row(page, label);
  const runButton = target.locator('a.action-label[aria-label="Run Test"]');
  await target.hover();
  await runButton.waitFor({ state: 'attached', timeout: 30_000 });
  const done = row(page, label, state);
  await target.hover();
  await runButton.click();
  await done.waitFor({ timeout: 60_000 });
  return done;
}

/** F1, the command's title, Enter: what a person does in the command palette. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const input = page.locator('.quick-input-widget .quick-input-box input');
  // The palette lists the commands known when it opened: until the extension's
  // contributions arrive, close it and open it again.
  await waitFor(`the command palette to offer "${title}"`, async () => {
    if (await input.isVisible()) await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await input.fill(`>${title}`);
    const entry = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: title }).first();
    await entry.waitFor({ timeout: 3000 });
    return true;
  }, 60_000, 250);
  await page.keyboard.press('Enter');
}

/** The content frame of the webview on screen (webviews in background tabs keep their frames, hidden). */
export function webview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready:visible').frameLocator('#active-frame');
}

/**
 * Runs a scenario that fails, then opens its trace from the row's context menu (as a user
 * does) and returns the trace viewer. The menu ignores a click that comes right after it
 * opened: click until the viewer is there.
 */
export async function openTraceOfFailedRow(page: Page, label: string, parents: string[]): Promise<FrameLocator> {
  const failed = await runRow(page, label, parents, 'Failed');
  await failed.click({ button: 'right' });
  const openTrace = page.getByRole('menuitem', { name: 'Open Trace', exact: true });
  await waitFor('the trace viewer to open from the context menu', async () => {
    if (await openTrace.isVisible()) await openTrace.click();
    return page.locator('iframe.webview.ready').isVisible();
  }, 20_000, 200);
  return webview(page);
}
