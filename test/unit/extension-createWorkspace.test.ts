/**
 * "coSTAR: Create Workspace" on the fake host: the detected command offered in a quick pick,
 * an input box (checked as typed) when nothing is detected, nothing written over a file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createWorkspace } from '../../src/extension/init/index';
import { tempWorkspace, type TempWorkspace } from '../support/workspace';
import { fakeHost } from './extension-fakeHost';

interface Asked {
  picks: { label: string; description?: string }[][];
  inputs: { validateInput?: (value: string) => string | undefined }[];
  opened: string[];
}

/** The fake host, answering the quick pick with `pick(items)` and the input box with `input`. */
function host(ws: TempWorkspace, answers: { pick?: (items: { label: string }[]) => unknown; input?: string }) {
  const h = fakeHost(ws.dir);
  const asked: Asked = { picks: [], inputs: [], opened: [] };
  const vscode = h.vscode as unknown as { window: Record<string, unknown>; workspace: Record<string, unknown> };
  Object.assign(vscode.window, {
    showQuickPick: async (items: { label: string }[]) => (asked.picks.push(items), answers.pick?.(items)),
    showInputBox: async (options: Asked['inputs'][number]) => (asked.inputs.push(options), answers.input),
    showTextDocument: async (document: { uri: { fsPath: string } }) => asked.opened.push(document.uri.fsPath),
  });
  Object.assign(vscode.workspace, { openTextDocument: async (uri: { fsPath: string }) => ({ uri }) });
  return { ...h, asked, run: () => createWorkspace(h.vscode, { log: () => undefined }) };
}

test('Create Workspace offers the detected agent command and writes the workspace; the scenario opens and discovery looks again', async () => {
  const ws = tempWorkspace({ 'package.json': JSON.stringify({ name: 'helper', main: 'src/agent.js' }), 'src/agent.js': 'console.log("hi")\n' });
  try {
    const h = host(ws, { pick: (items) => items[0] });
    const scenario = await h.run();
    assert.deepEqual(h.asked.picks[0]!.map((i) => i.label), ['node src/agent.js', 'Enter the command…']);
    assert.equal(scenario, path.join(ws.dir, 'costar', 'first.scenario.yaml'));
    assert.deepEqual(h.asked.opened, [scenario]);
    assert.deepEqual(parseYaml(readFileSync(path.join(ws.dir, 'costar.yaml'), 'utf8')).agents, { helper: { command: ['node', 'src/agent.js'], source: ['src'], env: {} } });
    assert.match(readFileSync(path.join(ws.dir, '.gitignore'), 'utf8'), /^\.costar\/$/m);
    assert.deepEqual(h.executed.map((c) => c[0]), ['costar.refresh']);
  } finally {
    ws.dispose();
  }
});

test('Create Workspace asks for the command when none is found, and refuses shell syntax as it is typed', async () => {
  const ws = tempWorkspace({ 'README.md': 'my agent\n' });
  try {
    const h = host(ws, { input: 'node bot.mjs --fast' });
    await h.run();
    assert.equal(h.asked.picks.length, 0, 'nothing to pick from: straight to the input box');
    const validate = h.asked.inputs[0]!.validateInput!;
    assert.match(validate('node bot.mjs > out.txt') ?? '', /runs without a shell, so ">" cannot be used/);
    assert.match(validate('  ') ?? '', /the agent command is empty/);
    assert.equal(validate('python agent.py'), undefined);
    assert.deepEqual(Object.values(parseYaml(readFileSync(path.join(ws.dir, 'costar.yaml'), 'utf8')).agents)[0], { command: ['node', 'bot.mjs', '--fast'], env: {} });
  } finally {
    ws.dispose();
  }
});

test('Create Workspace never overwrites: an existing costar.yaml is kept and the user is told', async () => {
  const ws = tempWorkspace({ 'main.py': 'print(1)\n', 'costar.yaml': '# mine\n' });
  try {
    const h = host(ws, { pick: (items) => items[0] });
    assert.equal(await h.run(), undefined);
    assert.equal(readFileSync(path.join(ws.dir, 'costar.yaml'), 'utf8'), '# mine\n');
    assert.match(h.notifications.join('\n'), /costar\.yaml already exists; nothing was written/);
    assert.deepEqual(h.asked.opened, []);
  } finally {
    ws.dispose();
  }
});

test('Create Workspace: cancelling the quick pick writes nothing', async () => {
  const ws = tempWorkspace({ 'main.py': 'print(1)\n' });
  try {
    const h = host(ws, { pick: () => undefined });
    assert.equal(await h.run(), undefined);
    assert.throws(() => readFileSync(path.join(ws.dir, 'costar.yaml')), /ENOENT/);
  } finally {
    ws.dispose();
  }
});
