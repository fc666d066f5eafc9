/**
 * Issue 6: the labeling panel in the editor. Five traces of kind-words are judged by the LLM
 * judge `tone` (the CLI against the test model server, before the editor opens); the person
 * opens "coSTAR: Label Traces" and labels all five with the keyboard only (1/2, j/k, e, s,
 * u). golden/tone.jsonl then holds exactly those five labels; in blind mode the judge's
 * verdict is on screen only after the person answered. Issue 18: the judge's question is on
 * top, the answer keys are in view without scrolling at the default size, the chosen answer
 * is marked, a run that finishes while the panel is open brings a Refresh offer, and the
 * progress survives closing and reopening the panel.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { FrameLocator } from 'playwright-core';
import { ModelServer } from '../support/modelServer';
import { REPO } from './codeServer';
import type { UiTest } from './ui';
import { runCommand, webview } from './workbench';
import { waitFor } from './waitFor';

const TRACES = 5;
const CLI = path.join(REPO, 'dist', 'cli.js');

/** `costar run --scenario kind-words` against the test model server (exit 1 is a failed judge, fine). */
async function runKindWords(workspace: string, model: ModelServer): Promise<void> {
  const env = { ...process.env, COSTAR_MODEL_BASE_URL: model.baseUrl, COSTAR_MODEL: 'test-model', OPENAI_API_KEY: 'test-key' };
  const run = await promisify(execFile)(process.execPath, [CLI, 'run', '--workspace', workspace, '--scenario', 'kind-words'], { env })
    .catch((error: { code?: number; stdout?: string; stderr?: string }) => {
      if (error.code === 1) return error;
      throw new Error(`costar run exited with ${error.code}:\n${error.stdout}${error.stderr}`);
    });
  if (!/kind-words/.test(run.stdout ?? '')) throw new Error(`costar run did not run kind-words:\n${run.stdout}`);
}

export function labelingTest(): UiTest {
  let model: ModelServer;
  return {
    name: 'Label Traces: five traces labelled by keyboard land in golden/tone.jsonl; blind mode hides the verdict until answered',
    async setUp() {
      model = await ModelServer.start();
      model.reply((_body, use) => ({ json: { value: use % 2 === 0 ? 'yes' : 'no', rationale: `judge rationale #${use}` } }));
      return { tearDown: () => model.close() };
    },
    async prepareWorkspace(workspace) {
      for (let i = 0; i < TRACES; i++) await runKindWords(workspace, model);
      if (model.chatRequests.length !== TRACES) throw new Error(`expected ${TRACES} judge requests, the model server saw ${model.chatRequests.length}`);
    },
    async run({ page, server }) {
      await runCommand(page, 'coSTAR: Label Traces');
      const panel = webview(page);
      await panel.locator('.item[data-trace-id]').waitFor({ timeout: 30_000 });
      await expectProgress(panel, 0);
      await expectQuestionAndKeysInView(panel);
      // Blind: nothing of the judge's answer is on screen before the person answers.
      if ((await panel.locator('.verdict-compare').count()) !== 0) throw new Error('blind mode shows the verdict before an answer');
      if ((await panel.locator('body').innerText()).includes('judge rationale')) throw new Error('blind mode shows the judge\'s rationale before an answer');
      // Keyboard focus into the panel, the way a click on its header does.
      await panel.locator('.progress').click();
      const key = (k: string) => page.keyboard.press(k);
      const traceId = () => panel.locator('.item').getAttribute('data-trace-id');
      const ids: (string | null)[] = [];

      ids.push(await traceId());
      await key('2');
      await panel.locator('.verdict-compare .judge').filter({ hasText: /judge rationale #\d/ }).waitFor({ timeout: 10_000 });
      await expectProgress(panel, 1);
      await key('u'); // undo the "no"…
      await expectProgress(panel, 0);
      await key('1'); // …and answer "yes"
      await expectProgress(panel, 1);
      await expectChosen(panel, 'yes');

      await key('j');
      ids.push(await traceId());
      if ((await panel.locator('.verdict-compare').count()) !== 0) throw new Error('the next trace is not blind again');
      await key('2');

      await key('j');
      ids.push(await traceId());
      await key('e');
      await page.keyboard.type('too curt');
      await key('Escape');
      await key('2');

      await key('j');
      ids.push(await traceId());
      await key('s'); // skip the fourth for now…
      ids.push(await traceId());
      await key('1');
      await key('k'); // …and come back to it
      if ((await traceId()) !== ids[3]) throw new Error('k did not go back to the skipped trace');
      await key('1');
      await expectProgress(panel, TRACES);

      if (new Set(ids).size !== TRACES || ids.includes(null)) throw new Error(`expected ${TRACES} distinct traces, visited ${JSON.stringify(ids)}`);
      const expected = [[ids[0], 'yes', ''], [ids[1], 'no', ''], [ids[2], 'no', 'too curt'], [ids[3], 'yes', ''], [ids[4], 'yes', '']].map((l) => JSON.stringify(l)).sort();
      const golden = path.join(server.workspace, 'golden', 'tone.jsonl');
      await waitFor('golden/tone.jsonl to hold exactly the five labels', () => {
        const lines = readFileSync(golden, 'utf8').split('\n').filter(Boolean);
        const labels = lines.map((line) => JSON.parse(line) as { traceRef: { traceId: string }; value: string; rationale: string });
        const actual = labels.map((l) => JSON.stringify([l.traceRef.traceId, l.value, l.rationale])).sort();
        if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`golden/tone.jsonl holds ${actual.join(' ')}; expected ${expected.join(' ')}`);
        return true;
      }, 10_000);

      // A run that finishes while the panel is open: a Refresh offer, and the new trace in the queue.
      await runKindWords(server.workspace, model);
      const offer = panel.locator('.new-traces');
      await offer.waitFor({ timeout: 60_000 });
      await offer.getByRole('button', { name: 'Refresh (r)' }).click();
      await expectProgress(panel, TRACES, TRACES + 1);
      await offer.waitFor({ state: 'detached', timeout: 10_000 });

      // Closed and reopened, the panel counts the labels given before: not "0 of 6".
      await runCommand(page, 'View: Close Editor');
      await panel.locator('.progress').waitFor({ state: 'detached', timeout: 20_000 });
      await runCommand(page, 'coSTAR: Label Traces');
      await expectProgress(webview(page), TRACES, TRACES + 1);
    },
  };
}

/** The judge's question above the trace, and the answer buttons inside the viewport without scrolling. */
async function expectQuestionAndKeysInView(panel: FrameLocator): Promise<void> {
  const question = panel.locator('p.question');
  await question.waitFor({ timeout: 10_000 });
  const text = await question.innerText();
  if (text !== "The agent's answer is friendly.") throw new Error(`the question on top reads ${JSON.stringify(text)}`);
  // No helper functions inside evaluate: tsx would wrap them in a __name() the page lacks.
  const layout = await panel.locator('body').evaluate(() => ({
    question: document.querySelector('p.question')!.getBoundingClientRect().toJSON() as DOMRect,
    item: document.querySelector('main.item h1')!.getBoundingClientRect().toJSON() as DOMRect,
    values: document.querySelector('.answer .values')!.getBoundingClientRect().toJSON() as DOMRect,
    height: window.innerHeight,
    scrolled: window.scrollY,
  }));
  if (layout.question.bottom > layout.item.top) throw new Error(`the question is not above the trace: ${JSON.stringify(layout)}`);
  if (layout.scrolled !== 0 || layout.values.top < 0 || layout.values.bottom > layout.height) throw new Error(`the answer keys are not in view without scrolling: ${JSON.stringify(layout)}`);
}

/** The chosen answer is marked (✓, pressed, filled) and the others are not. */
async function expectChosen(panel: FrameLocator, value: string): Promise<void> {
  const chosen = panel.locator('.answer button.value[aria-pressed="true"]');
  await chosen.waitFor({ timeout: 10_000 });
  const buttons = await panel.locator('.answer button.value').evaluateAll((all) => all.map((b) => ({
    text: b.textContent ?? '', pressed: b.getAttribute('aria-pressed'), background: getComputedStyle(b).backgroundColor, weight: getComputedStyle(b).fontWeight,
  })));
  const marked = buttons.filter((b) => b.pressed === 'true');
  const others = buttons.filter((b) => b.pressed !== 'true');
  if (marked.length !== 1 || !marked[0]!.text.startsWith('✓') || !marked[0]!.text.includes(value)) throw new Error(`the chosen answer is not marked: ${JSON.stringify(buttons)}`);
  if (others.some((b) => b.text.startsWith('✓') || (b.background === marked[0]!.background && b.weight === marked[0]!.weight))) {
    throw new Error(`the chosen answer looks like the others: ${JSON.stringify(buttons)}`);
  }
}

async function expectProgress(panel: FrameLocator, labelled: number, total = TRACES): Promise<void> {
  await panel.locator(`.progress[data-progress="${labelled}/${total}"]`).waitFor({ timeout: 30_000 });
}
