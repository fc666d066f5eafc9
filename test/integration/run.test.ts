import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../e2e/waitFor';
import { agentRuns, costarApi, itemAt, runCli, runProfile, workspaceDir } from './helpers';

const RUNNABLE = ['greets', 'polite', 'crashes'];

/** Pids of processes whose command line carries the marker the hanging agent's child has. */
function hangingProcesses(): number[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).flatMap((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('costar-fixture-hang-grandchild') ? [Number(pid)] : [];
    } catch {
      return [];
    }
  });
}

describe('running scenarios from the Test Explorer', () => {
  it('runs all: the statuses match `costar run` and the failure message is located at the expectation', async () => {
    const api = await costarApi();
    const ws = path.basename(workspaceDir());
    const hangs = itemAt(api, [ws, 'trouble.scenario.yaml', 'hangs']);
    await runProfile(api.profiles.run, undefined, [hangs]);

    const statuses = Object.fromEntries(RUNNABLE.map((id) => [id, api.results.get(workspaceDir(), id)?.status]));
    assert.deepEqual(statuses, { greets: 'passed', polite: 'failed', crashes: 'error' });

    const reportFile = path.join(workspaceDir(), '.costar', 'cli-report.json');
    const cli = await runCli(['run', '--workspace', workspaceDir(), ...RUNNABLE.flatMap((id) => ['--scenario', id]), '--reporter', `json:${reportFile}`], workspaceDir());
    // Exit code 3: an error (the crashing agent) outranks a failure.
    assert.equal(cli.code, 3, `costar run reports the error; stderr: ${cli.stderr}`);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { scenarios: { id: string; status: string }[] };
    assert.deepEqual(Object.fromEntries(report.scenarios.map((s) => [s.id, s.status])), statuses);

    const polite = api.results.get(workspaceDir(), 'polite')!;
    assert.equal(polite.messages.length, 1, 'one failing judge, one message');
    const [message] = polite.messages;
    assert.match(message!.markdown, /says please/);
    assert.match(message!.markdown, /please/);
    assert.match(message!.markdown, /does not contain/, 'the message holds the judge rationale');
    assert.equal(message!.file, path.join(workspaceDir(), 'greetings.scenario.yaml'));
    assert.equal(message!.line, 18, 'the message points at the "says please" expectation');
    assert.ok(polite.traceFile && existsSync(polite.traceFile), 'the result links to its stored trace');
    assert.match(api.statusBar.text, /1.*1/, `the status bar shows the counts, got ${api.statusBar.text}`);
  });

  it('re-scores the stored traces without running the agent', async () => {
    const api = await costarApi();
    const ws = path.basename(workspaceDir());
    const file = itemAt(api, [ws, 'greetings.scenario.yaml']);
    await runProfile(api.profiles.run, [file]);
    const before = agentRuns();
    await runProfile(api.profiles.rescore, [file]);
    assert.equal(agentRuns(), before, 'no agent ran during the re-score');
    assert.equal(api.results.get(workspaceDir(), 'greets')?.status, 'passed');
    assert.equal(api.results.get(workspaceDir(), 'polite')?.status, 'failed');
  });

  it('cancel during a hanging scenario stops it: not passed, no agent process left', async () => {
    const api = await costarApi();
    const ws = path.basename(workspaceDir());
    const hangs = itemAt(api, [ws, 'trouble.scenario.yaml', 'hangs']);
    const cancellation = new vscode.CancellationTokenSource();
    const running = runProfile(api.profiles.run, [hangs], [], cancellation.token);
    await waitFor('the hanging agent to start its child', () => hangingProcesses().length > 0, 30_000);
    cancellation.cancel();
    await running;
    assert.notEqual(api.results.get(workspaceDir(), 'hangs')?.status, 'passed');
    await waitFor('no process of the agent left', () => hangingProcesses().length === 0, 15_000);
  });
});
