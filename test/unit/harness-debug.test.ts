/**
 * The Debug profile in the harness: a real `node --inspect-brk` agent waits for a debugger,
 * the harness announces where (a `debuggee` event), a small Chrome DevTools protocol client
 * (test/support/cdp.ts) lets it run, and the run completes with its judges; the agent's timeout does not
 * apply while it waits; a debug session that ends while the agent still runs cancels the run.
 * Requires `npm run build` (dist/harness.js).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { startRun } from '../../src/core/run/client';
import type { Debuggee, HarnessEvent } from '../../src/core/run/protocol';
import { debugLaunch, InspectorAnnouncements, NODE_INSPECT_FLAG } from '../../src/harness/debugLaunch';
import { HARNESS, isAlive, tempWorkspace } from '../support/workspace';
import { waitFor } from '../e2e/waitFor';
import { runToEnd } from '../support/cdp';

const AGENT = `// Says hello after reading its prompt; the Debug profile stops it before its first line.
let prompt = '';
process.stdin.on('data', (chunk) => (prompt += chunk));
process.stdin.on('end', () => console.log(\`hello, you said: \${prompt.trim()} (cwd \${process.cwd()})\`));
`;

describe('the Debug profile in the harness', { timeout: 120_000 }, () => {
  const ws = tempWorkspace({
    'agent.mjs': AGENT,
    'costar.yaml': `agents:
  direct:
    command: [node, agent.mjs]
  shell:
    command: [sh, -c, 'node "$COSTAR_WORKSPACE/agent.mjs"']
  not-node:
    command: [sh, -c, 'cat; echo " done"']
`,
    'debug.scenario.yaml': `scenarios:
  - id: paused
    agent: direct
    prompt: take your time
    timeout: 1s
    repeat: 3
    setup: { files: { input.txt: input.txt } }
    expectations:
      - judge: contains
        with: { text: 'hello, you said: take your time', in: stdout }
  - id: via-shell
    agent: shell
    prompt: through sh
    expectations:
      - judge: contains
        with: { text: 'hello, you said: through sh', in: stdout }
`,
    'plain.scenario.yaml': `scenarios:
  - id: not-node
    agent: not-node
    prompt: no debugger here
`,
    'input.txt': 'data\n',
  });
  after(() => ws.dispose());

  function debugRun(scenarioId: string) {
    const events: HarnessEvent[] = [];
    const handle = startRun({ workspaceDir: ws.dir, mode: 'run', scenarioIds: [scenarioId], debug: true }, { harnessPath: HARNESS, onEvent: (e) => events.push(e) });
    const debuggees = () => events.flatMap((e) => (e.type === 'debuggee' ? [e] : []));
    return { handle, events, debuggees };
  }

  it('a node agent waits for the debugger past its timeout, runs once attached, and is judged', async () => {
    const { handle, debuggees, events } = debugRun('paused');
    const [announced] = await waitFor('the debuggee event', () => (debuggees().length > 0 ? debuggees() : undefined), 30_000, 20);
    const debuggee: Debuggee = announced!.debuggee;
    assert.equal(debuggee.kind, 'node');
    assert.equal(debuggee.host, '127.0.0.1');
    assert.match(debuggee.url!, new RegExp(`^ws://127\\.0\\.0\\.1:${debuggee.port}/`));
    assert.equal(debuggee.cwd, path.join(ws.dir, '.costar', 'sandboxes', handle.runId, 'paused', '1', 'sandbox'));
    assert.deepEqual(debuggee.mappings, [{ local: path.join(ws.dir, 'input.txt'), remote: path.join(debuggee.cwd, 'input.txt') }]);
    // Paused at its first line, well past its 1 s timeout (and the kill's grace): still alive, not timed out.
    const pid = events.flatMap((e) => (e.type === 'attemptStarted' && e.pid ? [e.pid] : []))[0]!;
    const pausedSince = Date.now();
    await waitFor('the timeout to pass', () => Date.now() - pausedSince > 3500, 30_000, 20);
    assert.ok(isAlive(pid), 'the paused agent was not killed as timed out');
    assert.equal(events.some((e) => e.type === 'attemptFinished'), false);

    await runToEnd(debuggee.url!);
    const report = await handle.done;
    const scenario = report.scenarios[0]!;
    assert.equal(scenario.status, 'passed', JSON.stringify(scenario));
    assert.equal(scenario.attempts.length, 1, 'repeat: 3 is one attempt under the debugger');
    assert.equal(scenario.attempts[0]!.verdicts[0]!.outcome, 'passed');
  });

  it('a node agent started through a shell waits too (NODE_OPTIONS), and a session that ends with the agent cancels nothing', async () => {
    const { handle, debuggees, events } = debugRun('via-shell');
    const [announced] = await waitFor('the debuggee event', () => (debuggees().length > 0 ? debuggees() : undefined), 30_000, 20);
    await runToEnd(announced!.debuggee.url!);
    // The session ends as the agent finishes: the harness lets it finish and judges it.
    handle.debuggerDetached('via-shell', 1);
    const report = await handle.done;
    assert.equal(report.scenarios[0]!.status, 'passed', JSON.stringify(report.scenarios[0]));
    assert.equal(events.some((e) => e.type === 'log' && /debug session/.test(e.message)), false, 'no cancel');
  });

  it('an agent that never waits for a debugger runs as usual, with a warning that says what to configure', async () => {
    const { handle, events } = debugRun('not-node');
    const report = await handle.done;
    const attempt = report.scenarios[0]!.attempts[0]!;
    assert.equal(attempt.status, 'passed');
    assert.equal(events.some((e) => e.type === 'debuggee'), false);
    assert.match((attempt.warnings ?? []).join('\n'), /never waited for a debugger .*needs a debug command in costar\.yaml/);
    // A node agent that did wait gets no such warning.
    const waited = debugRun('via-shell');
    const [announced] = await waitFor('the debuggee event', () => (waited.debuggees().length > 0 ? waited.debuggees() : undefined), 30_000, 20);
    await runToEnd(announced!.debuggee.url!);
    assert.equal((await waited.handle.done).scenarios[0]!.attempts[0]!.warnings, undefined);
  });

  it('a debug session that ends while the agent still runs cancels the run', async () => {
    const { handle, debuggees, events } = debugRun('paused');
    await waitFor('the debuggee event', () => debuggees().length > 0, 30_000, 20);
    const pid = events.flatMap((e) => (e.type === 'attemptStarted' && e.pid ? [e.pid] : []))[0]!;
    handle.debuggerDetached('paused', 1);
    const report = await handle.done;
    assert.equal(report.scenarios[0]!.status, 'error');
    assert.equal(report.scenarios[0]!.error, 'cancelled');
    assert.equal(isAlive(pid), false, 'the agent is gone');
    assert.ok(events.some((e) => e.type === 'log' && /debug session of "paused" ended while its agent was still running/.test(e.message)));
  });
});

describe('how an agent is started under its debugger', () => {
  const same = (argv: string[]) => argv;
  const keep = (text: string) => text;

  it('node: the inspect flag after node; any other start: NODE_OPTIONS, kept with what the agent set', async () => {
    assert.deepEqual(await debugLaunch({}, ['/usr/bin/node', '--enable-source-maps', 'main.mjs', 'x'], {}, same, keep), {
      kind: 'node', env: {}, argv: ['/usr/bin/node', NODE_INSPECT_FLAG, '--enable-source-maps', 'main.mjs', 'x'],
    });
    const npm = await debugLaunch({}, ['npx', 'tsx', 'src/agent.ts'], { NODE_OPTIONS: '--max-old-space-size=512' }, same, keep);
    assert.deepEqual(npm, { kind: 'node', argv: ['npx', 'tsx', 'src/agent.ts'], env: { NODE_OPTIONS: `--max-old-space-size=512 ${NODE_INSPECT_FLAG}` } });
  });

  it('python: -m debugpy --listen 127.0.0.1:PORT --wait-for-client, interpreter flags first', async () => {
    const launch = await debugLaunch({}, ['.venv/bin/python3', '-u', '-X', 'dev', 'agent.py', '--fast'], {}, same, keep);
    assert.equal(launch.kind, 'python');
    assert.ok(launch.port! > 0);
    assert.deepEqual(launch.argv, ['.venv/bin/python3', '-u', '-X', 'dev', '-m', 'debugpy', '--listen', `127.0.0.1:${launch.port}`, '--wait-for-client', 'agent.py', '--fast']);
    const module = await debugLaunch({}, ['python', '-m', 'my_agent'], {}, same, keep);
    assert.deepEqual(module.argv.slice(1, 3), ['-m', 'debugpy']);
    assert.deepEqual(module.argv.slice(-2), ['-m', 'my_agent']);
  });

  it("other languages: the agent's debug argv and configuration with {port} (a number where it stands alone) and paths filled in", async () => {
    const launch = await debugLaunch(
      { debug: { command: ['dlv', 'exec', 'bin/agent', '--headless', '--listen=127.0.0.1:{port}'], configuration: { type: 'go', request: 'attach', mode: 'remote', port: '{port}', substitutePath: [{ from: '${workspaceFolder}', to: '${sandbox}' }] } } },
      ['bin/agent'],
      {},
      (argv) => argv.map((a) => (a === 'bin/agent' ? '/ws/bin/agent' : a)),
      (text) => text.replace('${workspaceFolder}', '/ws').replace('${sandbox}', '/sb'),
    );
    assert.equal(launch.kind, 'custom');
    assert.deepEqual(launch.argv, ['dlv', 'exec', '/ws/bin/agent', '--headless', `--listen=127.0.0.1:${launch.port}`]);
    assert.deepEqual(launch.configuration, { type: 'go', request: 'attach', mode: 'remote', port: launch.port, substitutePath: [{ from: '/ws', to: '/sb' }] });
  });

  it("reads every inspector's announcement, however stderr is chunked", () => {
    const seen: { port: number; url: string }[] = [];
    const reader = new InspectorAnnouncements((d) => seen.push(d));
    const text = 'Debugger listening on ws://127.0.0.1:40123/0f6b9c2e-1d1e-4c6a-9c83-5f1d0d7c7a11\nFor help, see: https://nodejs.org/en/docs/inspector\nDebugger listening on ws://127.0.0.1:40999/abc\n';
    for (const char of text) reader.push(char);
    assert.deepEqual(seen, [
      { port: 40123, url: 'ws://127.0.0.1:40123/0f6b9c2e-1d1e-4c6a-9c83-5f1d0d7c7a11' },
      { port: 40999, url: 'ws://127.0.0.1:40999/abc' },
    ]);
  });
});
