/**
 * "coSTAR: Align Judge" in the editor. The workspace gets the golden-set fixture's LLM judge
 * `quality` with fifteen labelled stored traces; the test model server plays a judge that
 * over-approves vague answers until its prompt carries the distilled guideline, so memory
 * alignment raises held-out κ and a version 2 is offered. The person picks the judge and the
 * method, sees the offered version in the diff editor, clicks Reject (the judge file stays
 * byte-identical), runs it again and clicks Accept (the file on disk is version 2).
 */
import { cpSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { goldenFixture } from '../fixtures/golden/goldenWorkspace';
import { formatName, ModelServer, userPrompt } from '../support/modelServer';
import type { UiTest } from './ui';
import { runCommand } from './workbench';
import { waitFor } from './waitFor';


/** The judge says yes to any answer about filling, until told to want the fill value named. */
function scriptJudge(model: ModelServer): void {
  model.script({
    match: (b) => formatName(b) === 'judge_verdict',
    reply: (b) => {
      const prompt = userPrompt(b);
      const answer = /Agent's answer: (.*)/.exec(prompt)?.[1] ?? '';
      const value = prompt.includes('names the value used to fill') ? /median/.test(answer) : /fill/i.test(answer);
      return { json: { value: value ? 'yes' : 'no', rationale: `scripted: ${value ? 'yes' : 'no'}` } };
    },
  });
  model.script({
    match: (b) => formatName(b) === 'distilled_guidelines',
    reply: (b) => ({
      json: { guidelines: [{ text: 'Say yes only when the answer names the value used to fill missing data.', sources: [...userPrompt(b).matchAll(/Example id: ([0-9a-f]{32})/g)].slice(0, 3).map((m) => m[1]!) }] },
    }),
  });
}

async function alignQuality(page: Page): Promise<void> {
  await runCommand(page, 'coSTAR: Align Judge');
  const title = page.locator('.quick-input-widget .quick-input-title');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await title.filter({ hasText: /^coSTAR: Align Judge$/ }).waitFor({ timeout: 20_000 });
  await input.fill('quality');
  await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: '15 labelled traces' }).waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await title.filter({ hasText: 'method' }).waitFor({ timeout: 20_000 });
  await input.fill('Memory');
  await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'Distil cited guidelines' }).waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.locator('.part.editor .tab.active').filter({ hasText: 'quality.judge.yaml ↔ aligned version 2' }).waitFor({ timeout: 60_000 });
  await page.locator('.part.editor .monaco-diff-editor').first().waitFor({ timeout: 20_000 });
}

/**
 * Clicks a button of the Accept/Reject question. An information toast hides itself after a
 * while even with buttons; then the question is still in the notification center.
 */
async function answer(page: Page, choice: 'Accept' | 'Reject'): Promise<void> {
  const question = page.locator('.notification-list-item:visible').filter({ hasText: 'Accept the new judge version?' }).first();
  await waitFor('the Accept/Reject question on screen', async () => {
    if (await question.isVisible()) return true;
    await runCommand(page, 'Notifications: Show Notifications');
    await question.waitFor({ timeout: 3000 }).catch(() => undefined);
    return question.isVisible();
  }, 30_000, 0);
  const text = await question.innerText();
  if (!/held-out κ .* → 1\.00/.test(text)) throw new Error(`the question does not report κ rising to 1.00: ${text}`);
  await question.getByRole('button', { name: choice, exact: true }).click();
  await question.waitFor({ state: 'detached', timeout: 10_000 });
}

export function alignTest(): UiTest {
  let model: ModelServer;
  let judgeFile = '';
  return {
    name: 'Align Judge: the offered version shows in the diff editor; Reject leaves the judge file byte-identical, Accept writes version 2',
    async setUp() {
      model = await ModelServer.start();
      scriptJudge(model);
      return { settings: { 'costar.model.baseUrl': model.baseUrl, 'costar.model.name': 'test-model' }, tearDown: () => model.close() };
    },
    async prepareWorkspace(workspace) {
      const golden = await goldenFixture({ good: 6, terse: 2, vague: 7 });
      try {
        for (const part of ['.costar', 'golden', 'judges/quality.judge.yaml']) cpSync(path.join(golden.ws.dir, part), path.join(workspace, part), { recursive: true });
      } finally {
        golden.ws.dispose();
      }
      judgeFile = path.join(workspace, 'judges', 'quality.judge.yaml');
    },
    async run({ page }) {
      const original = readFileSync(judgeFile);
      await alignQuality(page);
      await answer(page, 'Reject');
      // Reject writes nothing, so there is no event to wait for: the toast closing is the end of the command.
      if (!readFileSync(judgeFile).equals(original)) throw new Error('Reject changed the judge file');

      await alignQuality(page);
      await answer(page, 'Accept');
      await waitFor('the judge file on disk to be version 2', () => /^version: 2$/m.test(readFileSync(judgeFile, 'utf8')), 20_000);
      if (!readFileSync(judgeFile, 'utf8').includes('names the value used to fill')) throw new Error(`the accepted judge file lacks the distilled guideline:\n${readFileSync(judgeFile, 'utf8')}`);
    },
  };
}
