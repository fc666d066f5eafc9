/**
 * Issue 8 in the editor: two stored runs of greets and polite, the first all green (polite
 * asked with "please"), the second with polite failing. "coSTAR: Open Dashboard" draws the
 * pass rate per judge over both runs (says please: 100% then 0%), and a click on the failing
 * point opens polite's trace; "coSTAR: Compare with last green run" opens a document with
 * the diff `costar diff` prints. Issue 18: a third run of polite alone (a one-scenario re-run)
 * lists no long-existing scenario as "(absent) → …"; the chart labels every run on its x axis
 * and draws each series in its own colour/dash; the diff document's links open the scenario
 * file and the trace.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Locator, Page } from 'playwright-core';
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
      // A re-run of one scenario, as after a Refine round.
      await costar(workspace, ['run', '--scenario', 'polite'], [1]);
      expectedDiff = await costar(workspace, ['diff'], [0, 1]);
      if (expectedDiff.includes('(absent)')) throw new Error(`costar diff lists scenarios that the one-scenario re-run did not run as absent:\n${expectedDiff}`);
      if (!expectedDiff.includes('Newly failing (1)')) throw new Error(`the prepared runs do not differ as planned:\n${expectedDiff}`);
    },
    async run({ page }) {
      await runCommand(page, 'coSTAR: Open Dashboard');
      const dashboard = webview(page);
      const passRate = dashboard.locator('figure.chart[data-chart="runs-pass-rate"]');
      await passRate.locator('svg.chart-svg').waitFor({ timeout: 30_000 });
      const pleasePoints = passRate.locator('circle.point[aria-label^="says please, "]');
      await waitFor('the three runs charted for "says please"', async () => (await pleasePoints.count()) === 3, 10_000);
      const labels = await pleasePoints.evaluateAll((points) => points.map((p) => p.getAttribute('aria-label')!.replace(/^.*: /, '')));
      if (JSON.stringify(labels) !== JSON.stringify(['100%', '0%', '0%'])) throw new Error(`"says please" over the runs: ${labels.join(', ')}; expected 100%, 0%, 0%`);
      // An x label per run (three fit in the chart's width), each a different run.
      const xLabels = await passRate.locator('text.x-label').allTextContents();
      if (xLabels.length !== 3 || new Set(xLabels).size !== 3) throw new Error(`x-axis labels ${JSON.stringify(xLabels)}: expected one per run`);
      // Every series looks different: colour or dash.
      const looks = await passRate.locator('g.series').evaluateAll((groups) => groups.map((g) => {
        const style = getComputedStyle(g.querySelector('.point') ?? g);
        const line = g.querySelector('.line');
        return `${style.fill} ${line ? getComputedStyle(line).strokeDasharray : ''}`;
      }));
      if (looks.length < 2 || new Set(looks).size !== looks.length) throw new Error(`series share a look: ${JSON.stringify(looks)}`);
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
        if (shown.includes('(absent)')) throw new Error(`the diff lists a scenario as absent:\n${shown}`);
        return true;
      }, 20_000);

      // Links (Ctrl+click, as in any editor): the scenario's file:line opens the scenario file…
      const diffEditor = page.locator('.part.editor .monaco-editor').first();
      const scenarioLink = diffEditor.locator('.view-lines .detected-link').filter({ hasText: /greetings\.scenario\.yaml:\d+/ }).first();
      await ctrlClick(page, scenarioLink);
      await page.locator('.part.editor .tab.active').filter({ hasText: 'greetings.scenario.yaml' }).waitFor({ timeout: 20_000 });
      // …and an outcome of the latest run opens that run's trace of polite.
      await page.locator('.part.editor .tab').filter({ hasText: 'last green vs latest.txt' }).click();
      const traceLink = diffEditor.locator('.view-lines .detected-link').filter({ hasText: 'failed' }).first();
      await ctrlClick(page, traceLink);
      await page.locator('.part.editor .tab.active').filter({ hasText: /^polite — / }).waitFor({ timeout: 20_000 });
    },
  };
}

/**
 * Ctrl+click on a document link at its place on screen. Holding Ctrl over a link makes the
 * editor re-render it (underlined, with a hover), so the span under the mouse is replaced:
 * click the position, not the element.
 */
async function ctrlClick(page: Page, link: Locator): Promise<void> {
  await link.waitFor({ timeout: 20_000 });
  const box = await link.boundingBox();
  if (!box) throw new Error('the link has no place on screen');
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.keyboard.down('Control');
  try {
    await page.mouse.click(x, y);
  } finally {
    await page.keyboard.up('Control');
  }
}
