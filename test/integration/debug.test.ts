/**
 * The Debug profile in the real editor: js-debug (built into code-server) attaches to the
 * fixture agent, which waits under --inspect-brk in its sandbox; a breakpoint set in the
 * workspace's agent.mjs is hit; continuing lets the agent finish, its judges run and the
 * result appears as after a normal run. Stop while paused cancels the run.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../e2e/waitFor';
import { costarApi, itemAt, runProfile, workspaceDir } from './helpers';

/** A breakpoint on the agent's greeting line, removed by the returned function. */
function breakOnGreeting(): { file: string; line: number; remove(): void } {
  const file = path.join(workspaceDir(), 'agent.mjs');
  const line = readFileSync(file, 'utf8').split('\n').findIndex((text) => text.includes("console.log('hello from the fixture agent')"));
  assert.ok(line >= 0, 'the fixture agent has its greeting line');
  const breakpoint = new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(file), new vscode.Position(line, 0)));
  vscode.debug.addBreakpoints([breakpoint]);
  return { file, line: line + 1, remove: () => vscode.debug.removeBreakpoints([breakpoint]) };
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
      const stack = (await frame.session.customRequest('stackTrace', { threadId: frame.threadId, levels: 1 })) as { stackFrames: { line: number; source?: { path?: string } }[] };
      // In code-server js-debug names the workspace file by its vscode-remote URI.
      const source = stack.stackFrames[0]!.source?.path ?? '';
      const file = source.includes('://') ? vscode.Uri.parse(source).path : source;
      assert.deepEqual({ file, line: stack.stackFrames[0]!.line }, { file: breakpoint.file, line: breakpoint.line });
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
});
