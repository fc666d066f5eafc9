/**
 * Issue 18: the coSTAR Traces view in the Testing container. One `costar run` of the fixture
 * (before the editor opens) stores traces of greets (passed), polite (failed), uses-tools
 * (failed) and kind-words (skipped: no model). The view lists them with scenario, outcome,
 * and prompt/output previews as child rows; "Filter Traces…" narrows it to the failed ones; a
 * click on a row opens the trace viewer on that trace.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Locator, Page } from 'playwright-core';
import { REPO } from './codeServer';
import type { UiTest } from './ui';
import { openTestingView, runCommand, webview } from './workbench';
import { waitFor } from './waitFor';

/** The coSTAR Traces pane of the Testing container (for its header). */
function tracesPane(page: Page): Locator {
  return page.locator('.part.sidebar .pane').filter({ has: page.locator('.pane-header', { hasText: /coSTAR Traces/i }) });
}

/** A trace row: its accessible name is the tooltip, "<scenario> — <outcome>\nrun …\ntrace …". */
function traceRow(page: Page, label: string): Locator {
  return page.locator(`.part.sidebar .monaco-list-row[aria-label^="${label} — "]`).first();
}

/** Child rows (previews) of the Traces view. */
function previewRow(page: Page, text: RegExp): Locator {
  return page.locator('.part.sidebar .monaco-list-row[aria-level="2"]').filter({ hasText: text }).first();
}

export function tracesViewTest(): UiTest {
  return {
    name: 'coSTAR Traces lists stored traces with outcome and previews, filters by outcome, and opens the viewer on a click',
    async prepareWorkspace(workspace) {
      // Exit 1: polite and uses-tools fail, as planned.
      await promisify(execFile)(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'run', '--workspace', workspace]).catch((error: { code?: number; stdout?: string; stderr?: string }) => {
        if (error.code !== 1) throw new Error(`costar run exited with ${error.code}:\n${error.stdout}${error.stderr}`);
      });
    },
    async run({ page }) {
      await openTestingView(page);
      const header = tracesPane(page).locator('.pane-header');
      await header.waitFor({ timeout: 60_000 });
      if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
      if ((await header.count()) !== 1) throw new Error('no single coSTAR Traces pane in the Testing container');

      const description = async (label: string) => (await traceRow(page, label).innerText()).replace(/\s+/g, ' ');
      await traceRow(page, 'polite').waitFor({ timeout: 60_000 });
      for (const [label, outcome] of [['greets', 'passed'], ['polite', 'failed'], ['uses-tools', 'failed'], ['kind-words', 'skipped']] as const) {
        await traceRow(page, label).waitFor({ timeout: 20_000 });
        const text = await description(label);
        if (!new RegExp(`(^| )${label}\\s*${outcome} · \\d`).test(text)) throw new Error(`the ${label} row reads ${JSON.stringify(text)}; expected "${label} ${outcome} · <duration> …"`);
      }

      // Previews: the prompt and the output as child rows.
      await traceRow(page, 'polite').locator('.monaco-tl-twistie').click();
      await previewRow(page, /Prompt: ask nicely/).waitFor({ timeout: 20_000 });
      await previewRow(page, /Output: hello from the fixture agent/).waitFor({ timeout: 20_000 });

      // Filter: failed only, any scenario.
      await runCommand(page, 'coSTAR: Filter Traces…');
      const pick = page.locator('.quick-input-widget');
      const failedOption = pick.locator('.monaco-list-row').filter({ hasText: /^\s*failed\s*$/ });
      await failedOption.waitFor({ timeout: 20_000 });
      // A click on the option ticks it (the picker counts it), OK accepts.
      await failedOption.click();
      await pick.locator('.quick-input-count', { hasText: '1 Selected' }).waitFor({ timeout: 10_000 });
      await pick.getByRole('button', { name: 'OK' }).click();
      await pick.locator('.quick-input-title', { hasText: 'scenario id contains' }).waitFor({ timeout: 20_000 });
      await page.keyboard.press('Enter');
      await waitFor('the view to show only the failed traces', async () => {
        const labels = await page.locator('.part.sidebar .monaco-list-row[aria-level="1"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
        const names = labels.filter((l) => l.includes('\ntrace ')).map((l) => l.split(' — ')[0]).sort();
        return JSON.stringify(names) === JSON.stringify(['polite', 'uses-tools']);
      }, 20_000);

      // A click opens the viewer on that trace.
      await traceRow(page, 'uses-tools').click();
      await page.locator('.part.editor .tab.active').filter({ hasText: /^uses-tools — / }).waitFor({ timeout: 30_000 });
      await webview(page).locator('.verdict.verdict-failed[data-judge="max-tool-errors"]').waitFor({ timeout: 30_000 });
    },
  };
}
