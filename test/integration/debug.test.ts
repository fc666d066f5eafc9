/**
 * The Debug profile in the real editor: js-debug (built into code-server) attaches to the
 * fixture agent, which waits under --inspect-brk in its sandbox; a breakpoint set in the
 * workspace's agent.mjs is hit; continuing lets the agent finish, its judges run and the
 * result appears as after a normal run. Stop while paused cancels the run. An agent that runs
 * a copy of its source in the sandbox (setup.files) stops at a breakpoint in the original.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../e2e/waitFor';
import { costarApi, itemAt, runProfile, workspaceDir } from './helpers';

/** A breakpoint on the agent's greeting line, removed by the returned function. */
function breakOnGreeting(file = path.join(workspaceDir(), 'agent.mjs')): { file: string; line: number; remove(): void } {
  const line = readFileSync(file, 'utf8').split('\n').findIndex((text) => text.includes("console.log('hello from the fixture agent')"));
  assert.ok(line >= 0, 'the fixture agent has its greeting line');
  const breakpoint = new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(file), new vscode.Position(line, 0)));
  vscode.debug.addBreakpoints([breakpoint]);
  return { file, line: line + 1, remove: () => vscode.debug.removeBreakpoints([breakpoint]) };
}

/** The frame's file: js-debug names workspace files by their vscode-remote URI in code-server. */
async function topOfStack(frame: vscode.DebugStackFrame): Promise<{ file: string; line: number }> {
  const stack = (await frame.session.customRequest('stackTrace', { threadId: frame.threadId, levels: 1 })) as { stackFrames: { line: number; source?: { path?: string } }[] };
  const source = stack.stackFrames[0]!.source?.path ?? '';
  return { file: source.includes('://') ? vscode.Uri.parse(source).path : source, line: stack.stackFrames[0]!.line };
}

async function pausedFrame(): Promise<vscode.DebugStackFrame> {
  return waitFor('the agent to stop at the breakpoint', () => {
    const item = vscode.debug.activeStackItem;
    return item instanceof vscode.DebugStackFrame ? item : undefined;
  }, 60_000);
}

describe('debugging a scenario', () => {
  it('starts a node debug session, stops at a breakpoint in the agent, and shows the result after Continue', async () => {
    const api = await costarApi();
    const greets = itemAt(api, [path.basename(workspaceDir()), 'greetings.scenario.yaml', 'greets']);
    const sessions: vscode.DebugSession[] = [];
    const started = vscode.debug.onDidStartDebugSession((session) => sessions.push(session));
    const breakpoint = breakOnGreeting();
    try {
      const running = runProfile(api.profiles.debug, [greets]);
      await waitFor('a node debug session', () => sessions.some((s) => s.type === 'node' || s.type === 'pwa-node'), 60_000);
      const frame = await pausedFrame();
      assert.deepEqual(await topOfStack(frame), { file: breakpoint.file, line: breakpoint.line });
      await frame.session.customRequest('continue', { threadId: frame.threadId });
      await running;
      assert.equal(api.results.get(workspaceDir(), 'greets')?.status, 'passed');
    } finally {
      started.dispose();
      breakpoint.remove();
      await vscode.debug.stopDebugging();
    }
  });

  it('Stop while the agent is paused cancels the run', async () => {
    const api = await costarApi();
    const greets = itemAt(api, [path.basename(workspaceDir()), 'greetings.scenario.yaml', 'greets']);
    const breakpoint = breakOnGreeting();
    try {
      const running = runProfile(api.profiles.debug, [greets]);
      const frame = await pausedFrame();
      await vscode.debug.stopDebugging(frame.session.parentSession ?? frame.session);
      await running;
      const result = api.results.get(workspaceDir(), 'greets');
      assert.equal(result?.status, 'error');
      assert.match(result!.messages[0]?.markdown ?? '', /Cancelled/);
    } finally {
      breakpoint.remove();
      await vscode.debug.stopDebugging();
    }
  });

  it('an agent running a sandbox copy of its source stops at a breakpoint in the original', async () => {
    const api = await costarApi();
    const ws = workspaceDir();
    // The agent's source in src/app/, copied to the sandbox's app/ and started from there.
    mkdirSync(path.join(ws, 'src', 'app'), { recursive: true });
    writeFileSync(path.join(ws, 'src', 'app', 'agent.mjs'), readFileSync(path.join(ws, 'agent.mjs')));
    const config = path.join(ws, 'costar.yaml');
    // The last test of the part: the workspace's one agent now starts from the sandbox copy.
    writeFileSync(config, readFileSync(config, 'utf8').replace('command: [node, agent.mjs]', 'command: [node, app/agent.mjs]'));
    writeFileSync(path.join(ws, 'copied.scenario.yaml'), `scenarios:
  - id: copied
    prompt: say hello from the copy
    setup: { files: { app: src/app } }
    expectations:
      - judge: contains
        with: { text: hello, in: stdout }
`);
    const copied = await waitFor('the copied scenario in the Test Explorer', async () => {
      await api.discovered();
      return api.tree.scenarioItem(ws, 'copied');
    }, 60_000);
    const breakpoint = breakOnGreeting(path.join(ws, 'src', 'app', 'agent.mjs'));
    try {
      let finished = false;
      const running = runProfile(api.profiles.debug, [copied]).finally(() => (finished = true));
      const stop = await waitFor('the agent to stop at the breakpoint (or the run to end)', () => {
        const item = vscode.debug.activeStackItem;
        return item instanceof vscode.DebugStackFrame ? { frame: item } : finished ? { frame: undefined } : undefined;
      }, 60_000);
      const frame = stop.frame;
      assert.ok(frame, `the run ended without stopping at the breakpoint: ${JSON.stringify(api.results.get(ws, 'copied'))}`);
      assert.deepEqual(await topOfStack(frame), { file: breakpoint.file, line: breakpoint.line });
      await frame.session.customRequest('continue', { threadId: frame.threadId });
      await running;
      assert.equal(api.results.get(ws, 'copied')?.status, 'passed');
    } finally {
      breakpoint.remove();
      await vscode.debug.stopDebugging();
    }
  });
});
