/**
 * The continuous run (the Testing view's "Turn on Continuous Run" on the Run profile): saving
 * a scenario file re-runs its scenarios; saving a judge file re-scores the watched scenarios'
 * stored traces without starting the agent.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../e2e/waitFor';
import { agentRuns, costarApi, itemAt, runProfile, workspaceDir } from './helpers';

describe('continuous run', () => {
  it('re-runs a scenario when its file changes and re-scores when a judge file changes', async () => {
    const api = await costarApi();
    const ws = workspaceDir();
    const scenarioFile = path.join(ws, 'greetings.scenario.yaml');
    const judgeFile = path.join(ws, 'judges', 'tone.judge.yaml');
    const [scenarioText, judgeText] = await Promise.all([fs.readFile(scenarioFile, 'utf8'), fs.readFile(judgeFile, 'utf8')]);
    const greetings = itemAt(api, [path.basename(ws), 'greetings.scenario.yaml']);
    const newResults = (before: Map<string, unknown>) => () => [...before].every(([id, result]) => api.results.get(ws, id) !== undefined && api.results.get(ws, id) !== result);
    const snapshot = () => new Map(['greets', 'polite'].map((id) => [id, api.results.get(ws, id)]));

    const cancellation = new vscode.CancellationTokenSource();
    const watching = api.profiles.run.runHandler(new vscode.TestRunRequest([greetings], [], api.profiles.run, true), cancellation.token);
    try {
      // The agent echoes its prompt: asking with "please" makes polite pass.
      const runsBefore = agentRuns();
      let before = snapshot();
      await fs.writeFile(scenarioFile, scenarioText.replace('prompt: ask nicely', 'prompt: ask nicely, please'));
      await waitFor('new results of both scenarios of the edited file', newResults(before), 60_000);
      assert.equal(api.results.get(ws, 'polite')?.status, 'passed', 'polite ran with the edited prompt');
      assert.equal(agentRuns(), runsBefore + 2, 'the agent ran once per scenario of the file');

      const runsBeforeRescore = agentRuns();
      before = snapshot();
      await fs.writeFile(judgeFile, judgeText.replace('The agent\'s answer is friendly.', 'The agent\'s answer is friendly and kind.'));
      await waitFor('re-scored results of the watched scenarios', newResults(before), 60_000);
      assert.equal(agentRuns(), runsBeforeRescore, 'a judge change re-scores: no agent ran');
      assert.equal(api.results.get(ws, 'polite')?.status, 'passed', 'the re-score judged the stored trace of the edited run');
    } finally {
      cancellation.cancel();
      await watching;
      await Promise.all([fs.writeFile(scenarioFile, scenarioText), fs.writeFile(judgeFile, judgeText)]);
      await api.discovered();
    }
    // Once the continuous run is stopped, a change runs nothing. The barrier: a new scenario
    // shows in the tree, then one explicit run of greets; a stray continuous run would have
    // started the agent for the file's three scenarios by the time that run ends.
    try {
      await fs.writeFile(scenarioFile, `${scenarioText}\n  - id: added-after-stop\n    prompt: say hello\n`);
      await waitFor('the added scenario in the tree', async () => {
        await api.discovered();
        return api.tree.scenarioItem(ws, 'added-after-stop') !== undefined;
      });
      const runsAfterStop = agentRuns();
      await runProfile(api.profiles.run, [api.tree.scenarioItem(ws, 'greets')!]);
      assert.equal(agentRuns(), runsAfterStop + 1, 'only the explicit run started the agent');
      assert.equal(api.results.get(ws, 'added-after-stop'), undefined, 'the added scenario never ran');
    } finally {
      await fs.writeFile(scenarioFile, scenarioText);
      await waitFor('the added scenario to leave the tree', async () => {
        await api.discovered();
        return api.tree.scenarioItem(ws, 'added-after-stop') === undefined;
      });
    }
  });
});
