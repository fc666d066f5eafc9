/**
 * Issue 6: the labeling panel in the editor. Five traces of kind-words are judged by the LLM
 * judge `tone` (the CLI against the test model server, before the editor opens); the person
 * opens "coSTAR: Label Traces" and labels all five with the keyboard only (1/2, j/k, e, s,
 * u). golden/tone.jsonl then holds exactly those five labels; in blind mode the judge's
 * verdict is on screen only after the person answered.
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
      const env = { ...process.env, COSTAR_MODEL_BASE_URL: model.baseUrl, COSTAR_MODEL: 'test-model', OPENAI_API_KEY: 'test-key' };
      for (let i = 0; i < TRACES; i++) {
        // Exit code 1 is fine: the judge answers "no" every other time, failing the scenario.
        const run = await promisify(execFile)(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'run', '--workspace', workspace, '--scenario', 'kind-words'], { env })
          .catch((error: { code?: number; stdout?: string; stderr?: string }) => {
            if (error.code === 1) return error;
            throw new Error(`costar run exited with ${error.code}:\n${error.stdout}${error.stderr}`);
          });
        if (!/kind-words/.test(run.stdout ?? '')) throw new Error(`costar run did not run kind-words:\n${run.stdout}`);
      }
      if (model.chatRequests.length !== TRACES) throw new Error(`expected ${TRACES} judge requests, the model server saw ${model.chatRequests.length}`);
    },
    async run({ page, server }) {
      await runCommand(page, 'coSTAR: Label Traces');
      const panel = webview(page);
      await panel.locator('.item[data-trace-id]').waitFor({ timeout: 30_000 });
      await expectProgress(panel, 0);
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
    },
  };
}

async function expectProgress(panel: FrameLocator, labelled: number): Promise<void> {
  await panel.locator(`.progress[data-progress="${labelled}/${TRACES}"]`).waitFor({ timeout: 10_000 });
}
