/**
 * Issue 8 in the editor: two stored runs of greets and polite, the first all green (polite
 * asked with "please"), the second with polite failing. "coSTAR: Open Dashboard" draws the
 * pass rate per judge over both runs (says please: 100% then 0%), and a click on the failing
 * point opens polite's trace; "coSTAR: Compare with last green run" opens a document with
 * the diff `costar diff` prints.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './codeServer';
import type { UiTest } from './ui';
import { runCommand, webview } from './workbench';
import { waitFor } from './waitFor';

const CLI = path.join(REPO, 'dist', 'cli.js');

async function costar(workspace: string, args: string[], okCodes: number[]): Promise<string> {
  try {
    return (await promisify(execFile)(process.execPath, [CLI, ...args, '--workspace', workspace])).stdout;
  } catch (error) {
    const { code, stdout, stderr } = error as { code?: number; stdout?: string; stderr?: string };
    if (code !== undefined && okCodes.includes(code)) return stdout ?? '';
    throw new Error(`costar ${args.join(' ')} exited with ${code}:\n${stdout}${stderr}`);
  }
}

export function dashboardTest(): UiTest {
  let expectedDiff = '';
  return {
    name: 'Open Dashboard charts the pass rate over the stored runs; Compare with last green run shows the run diff',
    async prepareWorkspace(workspace) {
      // "Last green" means the last *complete* green run (every scenario, no selection): keep
      // only greets and polite, so that a plain `costar run` is complete.
      for (const other of ['tone.scenario.yaml', 'tools.scenario.yaml']) rmSync(path.join(workspace, other), { force: true });
      const scenarioFile = path.join(workspace, 'greetings.scenario.yaml');
      const original = readFileSync(scenarioFile, 'utf8');
      const run = ['run'];
      writeFileSync(scenarioFile, original.replace('prompt: ask nicely', 'prompt: ask nicely, please'));
      await costar(workspace, run, [0]);
      writeFileSync(scenarioFile, original);
      await costar(workspace, run, [1]);
      expectedDiff = await costar(workspace, ['diff'], [0, 1]);
      if (!expectedDiff.includes('Newly failing (1)')) throw new Error(`the prepared runs do not differ as planned:\n${expectedDiff}`);
    },
    async run({ page }) {
      await runCommand(page, 'coSTAR: Open Dashboard');
      const dashboard = webview(page);
      const passRate = dashboard.locator('figure.chart[data-chart="runs-pass-rate"]');
      await passRate.locator('svg.chart-svg').waitFor({ timeout: 30_000 });
      const pleasePoints = passRate.locator('circle.point[aria-label^="says please, "]');
      await waitFor('both runs charted for "says please"', async () => (await pleasePoints.count()) === 2, 10_000);
      const labels = await pleasePoints.evaluateAll((points) => points.map((p) => p.getAttribute('aria-label')!.replace(/^.*: /, '')));
      if (JSON.stringify(labels) !== JSON.stringify(['100%', '0%'])) throw new Error(`"says please" over the runs: ${labels.join(', ')}; expected 100%, 0%`);
      // The failing point opens its most telling trace: polite's, with the failed judge.
      await pleasePoints.nth(1).click();
      await page.locator('.part.editor .tab.active').filter({ hasText: /^polite — / }).waitFor({ timeout: 20_000 });
      await webview(page).locator('.verdict.verdict-failed').filter({ hasText: 'says please' }).waitFor({ timeout: 20_000 });

      await runCommand(page, 'coSTAR: Compare with last green run');
      await page.locator('.part.editor .tab').filter({ hasText: 'last green vs latest.txt' }).waitFor({ timeout: 20_000 });
      const expectedLines = expectedDiff.split('\n').map((l) => l.trimEnd()).filter(Boolean);
      await waitFor('the diff document to show what `costar diff` prints', async () => {
        const shown = (await page.locator('.part.editor .monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
        const lines = shown.split('\n').map((l) => l.trimEnd()).filter(Boolean);
        const missing = expectedLines.filter((line) => !lines.includes(line));
        if (missing.length > 0) throw new Error(`lines missing from the document: ${JSON.stringify(missing)}\nshown:\n${shown}`);
        return true;
      }, 20_000);
    },
  };
}
