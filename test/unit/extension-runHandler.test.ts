/**
 * The Run profile's handler end to end in plain Node: the fake VS Code host, the real
 * discovery and test tree, the real harness (dist/harness.js) running the fixture agent.
 * Asserted as the fake TestRun's ASCII log, so what the Test Explorer would show is what
 * the test reads. Requires `npm run build`.
 */
import { after, describe, it, mock } from 'node:test';
import * as assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AgentSourceWatch, type AgentSourceChange } from '../../src/extension/testing/agentSources';
import { UNTRUSTED_MESSAGE, type RunHandler } from '../../src/extension/testing/runHandler';
import { attachConfiguration, missingDebuggerMessage } from '../../src/extension/testing/debugAttach';
import type { LoadedWorkspace } from '../../src/extension/testing/testTree';
import { fakeDebug } from './extension-fakeDebug';
import { inspectorUrl, runToEnd } from '../support/cdp';
import { fakeHost, FakeCancellationTokenSource, FakeTestRunRequest, type FakeTestRun } from './extension-fakeHost';
import { testingEditor, until } from './extension-editor';

const FIXTURE = path.resolve(__dirname, '../fixtures/editor-ws');
const dirs: string[] = [];

async function editor(options: { trusted?: boolean; costarYaml?: (text: string) => string; debug?: ReturnType<typeof fakeDebug> } = {}) {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'costar-handler-')), 'ws');
  dirs.push(path.dirname(dir));
  cpSync(FIXTURE, dir, { recursive: true });
  if (options.costarYaml) writeFileSync(path.join(dir, 'costar.yaml'), options.costarYaml(readFileSync(path.join(dir, 'costar.yaml'), 'utf8')));
  const host = fakeHost(dir, { trusted: options.trusted, ...(options.debug ? { debug: options.debug.api } : {}) });
  return { dir, host, ...(await testingEditor(host, dir)) };
}

const endedRun = (runs: FakeTestRun[], n: number) => () => (runs.length >= n && runs[n - 1]!.ended ? runs[n - 1] : undefined);

after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the run handler', { timeout: 180_000 }, () => {
  it('runs the harness and reports states, located messages and not-run judges of a crash', async () => {
    const { dir, host, controller, handler, items } = await editor();
    await handler.handle(new FakeTestRunRequest(items('polite', 'crashes', 'kind-words') as never) as never, new FakeCancellationTokenSource().token as never, 'run');
    assert.equal(controller.runs.length, 1);
    const run = controller.runs[0]!;
    assert.ok(run.ended, 'the run is ended');
    const log = run.renderLog(dir, { streams: false });
    for (const block of [
      ['greetings.scenario.yaml > polite [10:4]', '  enqueued', '  started', '  failed: **says please** failed @ greetings.scenario.yaml:18'],
      ['greetings.scenario.yaml > polite > says hello [15:8]', '  enqueued', '  started', '  passed'],
      ['greetings.scenario.yaml > polite > says please [18:8]', '  enqueued', '  started', '  failed: **says please** failed @ greetings.scenario.yaml:18'],
      ['trouble.scenario.yaml > crashes [2:4]', '  enqueued', '  started', '  errored: The agent exited with code 3; last lines of its stderr:   @ trouble.scenario.yaml:2'],
      ['trouble.scenario.yaml > crashes > contains [6:8]', '  enqueued', '  started', '  skipped',
        '  output: contains was not assessed: the agent did not finish (the agent exited with code 3). On what the agent produced before it stopped, this check failed: stdout does not contain "hello"; it starts with "" @ trouble.scenario.yaml:6'],
      ['tone.scenario.yaml > kind-words > friendly tone [6:8]', '  enqueued', '  started', '  skipped',
        '  output: friendly tone was skipped: no model is configured. Set costar.model.baseUrl and costar.model.name (Settings › Extensions › coSTAR) and run "coSTAR: Set API Key" if the endpoint needs a key, then run again. @ tone.scenario.yaml:6'],
    ]) {
      assert.ok(log.includes(block.join('\n')), `the log has\n${block.join('\n')}\n--- log ---\n${log}`);
    }
    assert.match(run.renderLog(dir), /output: hello from the fixture agent/, 'the agent output reaches the test output');
    assert.deepEqual(host.notifications, ['coSTAR: 1 model-based judge(s) were skipped because no model is configured.']);
  });

  it('in an untrusted workspace, reports every selected scenario as errored and runs nothing', async () => {
    const { dir, host, controller, handler, items } = await editor({ trusted: false });
    await handler.handle(new FakeTestRunRequest(items('greets') as never) as never, new FakeCancellationTokenSource().token as never, 'run');
    assert.equal(controller.runs[0]!.renderLog(dir), [
      'greetings.scenario.yaml > greets [2:4]',
      `  errored: ${UNTRUSTED_MESSAGE}`,
      'greetings.scenario.yaml > greets > contains [7:8]',
      `  errored: ${UNTRUSTED_MESSAGE}`,
    ].join('\n'));
    assert.deepEqual(host.notifications, [UNTRUSTED_MESSAGE]);
    assert.throws(() => readFileSync(path.join(dir, '.costar', 'fixture-agent-runs.log')), /ENOENT/, 'no agent ran');
  });

  it("a continuous run re-runs on edits of the agent's source folders, not on what runs write", async () => {
    const { dir, host, controller, handler, items } = await editor({ costarYaml: (text) => text.replace('command: [node, agent.mjs]', 'command: [node, agent.mjs]\n    source: [.]') });
    const cancel = new FakeCancellationTokenSource();
    const watching = handler.handle(new FakeTestRunRequest(items('greets') as never, [], undefined, true) as never, cancel.token as never, 'run');
    const agentFile = path.join(dir, 'agent.mjs');
    await until('the agent source watcher', () => (host.watching(agentFile) > 0 ? true : undefined));
    assert.equal(host.watching(path.join(dir, 'README.md')) > 0, true, 'source: [.] is the whole folder');

    host.fileEvent('change', path.join(dir, '.costar', 'traces', 'x.trace.json'));
    appendFileSync(agentFile, '\n// an edit\n');
    host.fileEvent('change', agentFile);
    const run = await until('the re-run after the edit', endedRun(controller.runs, 1));
    assert.match(run.renderLog(dir, { streams: false }), /greetings\.scenario\.yaml > greets \[2:4\]\n {2}enqueued\n {2}started\n {2}passed/);
    assert.equal(controller.runs.length, 1, 'one edit, one run; .costar/ writes are not edits');

    cancel.cancel();
    await watching;
    assert.equal(host.watching(agentFile), 0, 'the watcher is gone with the continuous run');
  });
});

it("agent source watching ignores what runs write under .costar/ and batches one save's events", () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const dir = path.join(tmpdir(), 'costar-sources-ws');
    const host = fakeHost(dir);
    const changes: AgentSourceChange[] = [];
    const watch = new AgentSourceWatch(host.vscode, (change) => changes.push(change));
    const agents = { analyst: { source: ['.'] }, helper: { source: ['tools'] } };
    watch.update([{ workspaceDir: dir, config: { agents } } as unknown as LoadedWorkspace]);

    host.fileEvent('change', path.join(dir, '.costar', 'sandboxes', 'r1', 'a', '1', 'sandbox', 'out.csv'));
    mock.timers.tick(1000);
    assert.equal(changes.length, 0, 'a run writing under .costar/ is not an edit');

    host.fileEvent('change', path.join(dir, 'main.mjs'));
    host.fileEvent('create', path.join(dir, 'tools', 'x.mjs'));
    mock.timers.tick(150);
    assert.deepEqual(changes.map((c) => [c.workspaceDir, [...c.agents].sort()]), [[dir, ['analyst', 'helper']]]);
    watch.dispose();
    assert.equal(host.watching(path.join(dir, 'main.mjs')), 0);
  } finally {
    mock.timers.reset();
  }
});

describe('the Debug profile', { timeout: 180_000 }, () => {
  const run = (handler: RunHandler, items: unknown[], token = new FakeCancellationTokenSource().token) =>
    handler.handle(new FakeTestRunRequest(items as never) as never, token as never, 'debug');

  it('attaches a node debugger to the waiting agent in its sandbox; the judges run after it as in a run', async () => {
    const debug = fakeDebug();
    // js-debug's part: find the inspector, let the agent run, detach at its end (the session ends).
    debug.debugger = (session) => {
      const { address, port } = session.configuration as unknown as { address: string; port: number };
      void inspectorUrl(address, port).then(runToEnd).then(() => debug.finish(session));
      return true;
    };
    const { dir, controller, handler, items } = await editor({ debug });
    await run(handler, items('greets'));
    assert.equal(debug.sessions.length, 1);
    const { configuration } = debug.sessions[0]!;
    const runId = (configuration.costarAttempt as { runId: string }).runId;
    assert.deepEqual(configuration, {
      type: 'node', request: 'attach', name: 'coSTAR: greets', address: '127.0.0.1', port: configuration.port,
      continueOnAttach: true, autoAttachChildProcesses: false, skipFiles: ['<node_internals>/**'],
      cwd: path.join(dir, '.costar', 'sandboxes', runId, 'greets', '1', 'sandbox'),
      costarAttempt: { runId, scenarioId: 'greets', attempt: 1 },
    });
    const log = controller.runs[0]!.renderLog(dir);
    assert.match(log, /greetings\.scenario\.yaml > greets \[2:4\]\n {2}enqueued\n {2}started\n {2}output: \[coSTAR\] Attaching the node debugger to 127\.0\.0\.1:\d+ \(the agent waits for it\)\./);
    assert.match(log, /greetings\.scenario\.yaml > greets > contains \[7:8\]\n {2}enqueued\n {2}started\n {2}passed/);
    assert.match(log, /greetings\.scenario\.yaml > greets \[2:4\][^]*\n {2}passed/);
  });

  it('Stop on the session while the agent waits cancels the run; cancelling the run ends the session', async () => {
    const debug = fakeDebug();
    const { dir, controller, handler, items } = await editor({ debug });
    const stopped = run(handler, items('greets'));
    await until('the debug session', () => (debug.live.size === 1 ? true : undefined));
    debug.stop([...debug.live][0]!);
    await stopped;
    assert.match(controller.runs[0]!.renderLog(dir, { streams: false }), /greetings\.scenario\.yaml > greets \[2:4\]\n {2}enqueued\n {2}started\n {2}errored: Cancelled/);
    assert.match(controller.runs[0]!.renderLog(dir), /output: \[coSTAR\] The debug session was stopped: the run is cancelled\./);

    const cancel = new FakeCancellationTokenSource();
    const cancelled = run(handler, items('greets'), cancel.token);
    await until('the second debug session', () => (debug.live.size === 1 ? true : undefined));
    cancel.cancel();
    await cancelled;
    assert.equal(debug.live.size, 0, 'the session ended with the run');
    assert.match(controller.runs[1]!.renderLog(dir, { streams: false }), /greets \[2:4\]\n {2}enqueued\n {2}started\n {2}(skipped|errored: Cancelled)/);
  });

  it('without a debugger for the type, says which extension to install and cancels the run', async () => {
    const debug = fakeDebug(['node']);
    // A "debugger" that only listens on {port}: the agent waits for a go debugger nobody has.
    const { dir, host, controller, handler, items } = await editor({
      debug,
      costarYaml: (text) => text.replace('command: [node, agent.mjs]', `command: [node, agent.mjs]
    debug:
      command: [node, -e, "require('net').createServer().listen(Number(process.argv[1]), '127.0.0.1')", '{port}']
      configuration: { type: go, mode: remote, port: '{port}' }`),
    });
    await run(handler, items('greets'));
    assert.equal(debug.sessions.length, 0, 'no session was started');
    const message = 'coSTAR can\'t debug "greets": no debugger for "go" is installed. Install the extension that provides debug type "go" (the type in costar.yaml\'s debug.configuration), then debug again. The run is cancelled.';
    assert.deepEqual(host.notifications, [message]);
    const log = controller.runs[0]!.renderLog(dir);
    assert.ok(log.includes(`output: [coSTAR] ${message}`), log);
    assert.match(log, /greets \[2:4\]\n[^]*errored: Cancelled/);
  });

  it('runs nothing in an untrusted workspace', async () => {
    const debug = fakeDebug();
    const { dir, controller, handler, items } = await editor({ debug, trusted: false });
    await run(handler, items('greets'));
    assert.equal(debug.sessions.length, 0);
    assert.match(controller.runs[0]!.renderLog(dir), new RegExp(`greets \\[2:4\\]\\n {2}errored: ${UNTRUSTED_MESSAGE.replace(/\./g, '\\.')}`));
  });
});

it('the attach configuration of a Python agent maps its sandbox copies to the workspace files; no debugpy says what to install', () => {
  const debuggee = { kind: 'python' as const, host: '127.0.0.1', port: 5678, cwd: '/ws/.costar/sb', workspaceDir: '/ws', mappings: [{ local: '/ws/agent', remote: '/ws/.costar/sb/agent' }] };
  assert.deepEqual(attachConfiguration(debuggee, { runId: 'r1', scenarioId: 'summary', attempt: 1 }), {
    type: 'debugpy', request: 'attach', name: 'coSTAR: summary', connect: { host: '127.0.0.1', port: 5678 },
    pathMappings: [{ localRoot: '/ws/agent', remoteRoot: '/ws/.costar/sb/agent' }], justMyCode: true,
    costarAttempt: { runId: 'r1', scenarioId: 'summary', attempt: 1 },
  });
  assert.match(missingDebuggerMessage('debugpy', 'summary'), /no debugger for "debugpy" is installed\. Install the Python Debugger extension \(ms-python\.debugpy\), then debug again/);
});

it("the node attach configuration maps a sandbox copy of the agent's folder (or script) back to the workspace source", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'costar-roots-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'notes.txt'), 'x');
  cpSync(FIXTURE, path.join(dir, 'agent'), { recursive: true });
  const node = (mappings: { local: string; remote: string }[]) => {
    const configuration = attachConfiguration({ kind: 'node', host: '127.0.0.1', port: 9229, cwd: '/sb', workspaceDir: dir, mappings }, { runId: 'r', scenarioId: 's', attempt: 1 });
    return { localRoot: configuration.localRoot, remoteRoot: configuration.remoteRoot };
  };
  const folder = { local: path.join(dir, 'agent'), remote: '/sb/app' };
  assert.deepEqual(node([{ local: path.join(dir, 'notes.txt'), remote: '/sb/notes.txt' }, folder]), { localRoot: folder.local, remoteRoot: '/sb/app' });
  assert.deepEqual(node([{ local: path.join(dir, 'agent', 'agent.mjs'), remote: '/sb/main.mjs' }]), { localRoot: path.join(dir, 'agent'), remoteRoot: '/sb' });
  assert.deepEqual(node([{ local: path.join(dir, 'notes.txt'), remote: '/sb/notes.txt' }]), { localRoot: undefined, remoteRoot: undefined }, 'an agent run from the workspace needs no mapping');
});
