/**
 * Issue 4: the API key a person types into "coSTAR: Set API Key" reaches the model request of
 * an LLM judge as `Authorization: Bearer <key>`, and is written to no file: not the workspace
 * (incl. .costar/ traces, reports and sandboxes), not the user data (settings, logs, state),
 * nowhere under the run folder.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ModelServer } from '../support/modelServer';
import type { UiTest } from './ui';
import { runCommand, runRow } from './workbench';
import { waitFor } from './waitFor';

export function apiKeyTest(): UiTest {
  let model: ModelServer;
  const key = `sk-costar-e2e-${randomBytes(12).toString('hex')}`;
  return {
    name: 'the key set with "coSTAR: Set API Key" reaches the judge\'s model request and no file',
    async setUp() {
      model = await ModelServer.start();
      model.reply({ json: { value: 'yes', rationale: 'the answer is warm' } });
      return {
        settings: { 'costar.model.baseUrl': model.baseUrl, 'costar.model.name': 'test-model' },
        tearDown: () => model.close(),
      };
    },
    async run({ page, server }) {
      await runCommand(page, 'coSTAR: Set API Key');
      await page.locator('.quick-input-widget .quick-input-title').filter({ hasText: 'coSTAR: Set API Key' }).waitFor({ timeout: 20_000 });
      await page.locator('.quick-input-widget .quick-input-box input[type="password"]').fill(key);
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 20_000 });

      await runRow(page, 'kind-words', ['ws', 'tone.scenario.yaml'], 'Passed');
      const authorizations = model.chatRequests.map((r) => r.headers.authorization);
      if (authorizations.length === 0) throw new Error('the LLM judge sent no request to the test model server');
      const wrong = authorizations.filter((a) => a !== `Bearer ${key}`);
      if (wrong.length > 0) throw new Error(`requests without the key as bearer token: ${JSON.stringify(wrong)}`);

      await waitFor('the run to be stored (.costar/runs)', () => filesUnder(path.join(server.workspace, '.costar', 'runs')).length > 0, 20_000);
      const holding = filesUnder(server.runDir).filter((file) => readFileSync(file).includes(key));
      if (holding.length > 0) throw new Error(`the API key is written in: ${holding.join(', ')}`);
    },
  };
}

/** Every regular file below `dir` (symlinks not followed: the rig's node_modules are not ours). */
function filesUnder(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const full = path.join(dir, name);
    const stat = lstatSync(full, { throwIfNoEntry: false });
    if (!stat) return [];
    if (stat.isDirectory()) return filesUnder(full);
    return stat.isFile() ? [full] : [];
  });
}
