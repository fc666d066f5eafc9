/**
 * Issue 19: a trace file outside any trace store (an export someone keeps in the workspace),
 * opened as a person does: Quick Open, the file name, Enter. coSTAR's viewer is the default
 * editor for `*.trace.json`: the first opening scans the file and keeps its outline in the
 * extension's global storage (nothing is written beside the user's file); the next opening
 * reads that outline instead of scanning again (the outline file is not rewritten).
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { writeRealisticTrace } from '../support/realisticTrace';
import type { UiTest } from './ui';
import { runCommand, webview } from './workbench';
import { waitFor } from './waitFor';

const FILE = 'agent-run.trace.json';
const SPANS = 5000;

async function quickOpen(page: Page, name: string): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await waitFor(`Quick Open to offer ${name}`, async () => {
    if (await input.isVisible()) await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await input.fill(name);
    await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: name }).first().waitFor({ timeout: 3000 });
    return true;
  }, 60_000, 250);
  await page.keyboard.press('Enter');
}

/** The first tree row of the viewer on screen, and the header's span count. */
async function viewerShowsTrace(page: Page): Promise<void> {
  const viewer = webview(page);
  await viewer.locator('.row[role="treeitem"]:not([hidden])').first().waitFor({ timeout: 60_000 });
  const spans = await viewer.locator('[data-metric="spans"]').innerText();
  if (!/5(,0|\.0k|k)/.test(spans)) throw new Error(`the header reads ${JSON.stringify(spans)}, expected ${SPANS} spans`);
}

export function traceFileTest(): UiTest {
  return {
    name: 'a *.trace.json outside the store opens in the viewer from Quick Open; its outline is cached in global storage and read, not rebuilt, the next time',
    async prepareWorkspace(workspace) {
      mkdirSync(path.join(workspace, 'exports'), { recursive: true });
      await writeRealisticTrace(path.join(workspace, 'exports', FILE), SPANS, 'e'.repeat(32));
    },
    async run({ page, server }) {
      const exportsDir = path.join(server.workspace, 'exports');
      const outlines = () => {
        const storage = path.join(server.userDataDir, 'User', 'globalStorage');
        const dirs = existsSync(storage) ? readdirSync(storage).map((d) => path.join(storage, d, 'outlines')).filter((d) => existsSync(d)) : [];
        return dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.outline.json')).map((f) => path.join(d, f)));
      };

      await quickOpen(page, FILE);
      await viewerShowsTrace(page);
      const [outline] = await waitFor('the outline in global storage', () => (outlines().length === 1 ? outlines() : undefined), 20_000, 100);
      const written = readdirSync(exportsDir);
      if (written.length !== 1) throw new Error(`written beside the user's file: ${written.join(', ')}`);
      const first = statSync(outline!);

      await runCommand(page, 'View: Close All Editors');
      await page.locator('iframe.webview').first().waitFor({ state: 'detached', timeout: 20_000 });
      await quickOpen(page, FILE);
      await viewerShowsTrace(page);
      // Read, not rebuilt: an outline is written by rename (a new inode); a read one is only touched.
      await waitFor('the cached outline marked as used', () => statSync(outline!).mtimeMs > first.mtimeMs, 20_000, 100);
      const again = statSync(outline!);
      if (again.ino !== first.ino || again.size !== first.size) throw new Error('the outline was rebuilt on the second opening');
      if (outlines().length !== 1) throw new Error(`outlines: ${outlines().join(', ')}`);
    },
  };
}
