import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type * as vscodeTypes from 'vscode';
import { loadWorkspace } from '../../src/core/scenario/load';
import { selectScenarios } from '../../src/extension/testing/selection';
import { TestTree } from '../../src/extension/testing/testTree';
import { fakeController, fakeVscode, folder, labelsOf, type FakeItem } from './extension-fakeHost';

const FIXTURE = path.resolve(__dirname, '../fixtures/editor-ws');

function copyFixture(): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'costar-tree-')), 'ws');
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

async function treeOf(dir: string) {
  const controller = fakeController();
  const tree = new TestTree(fakeVscode, controller as unknown as vscodeTypes.TestController);
  tree.update(folder(dir) as unknown as vscodeTypes.WorkspaceFolder, await loadWorkspace(dir));
  return { controller, tree };
}

const child = (item: FakeItem | undefined, label: string): FakeItem => {
  let found: FakeItem | undefined;
  item?.children.forEach((c) => (c.label === label ? (found = c) : undefined));
  assert.ok(found, `no child "${label}" under ${item?.label}`);
  return found;
};

test('the tree is workspace → scenario file → scenario → one judge per expectation, with tags and 0-based ranges', async () => {
  const dir = copyFixture();
  const { controller } = await treeOf(dir);
  assert.deepEqual(labelsOf(controller.items), ['ws']);
  const root = controller.items.get(folder(dir).uri.toString());
  assert.deepEqual(labelsOf(root!.children), ['greetings.scenario.yaml', 'tone.scenario.yaml', 'tools.scenario.yaml', 'trouble.scenario.yaml']);
  const polite = child(child(root, 'greetings.scenario.yaml'), 'polite');
  assert.equal(polite.range?.start.line, 9, '"- id: polite" is on line 10');
  assert.deepEqual(polite.tags.map((t) => t.id), ['smoke', 'manners']);
  assert.deepEqual(labelsOf(polite.children), ['says hello', 'says please']);
  const lines: number[] = [];
  polite.children.forEach((judge) => lines.push(judge.range!.start.line));
  assert.deepEqual(lines, [14, 17]);
});

test('an invalid file becomes an item carrying the error, and its valid siblings stay', async () => {
  const dir = copyFixture();
  writeFileSync(path.join(dir, 'broken.scenario.yaml'), 'scenarios:\n  - id: broken\n    tags: [oops\n');
  const { controller } = await treeOf(dir);
  const root = controller.items.get(folder(dir).uri.toString());
  const broken = child(root, 'broken.scenario.yaml');
  assert.ok(broken.error, 'the file item carries its problems');
  assert.match(broken.error!.value, /broken\.scenario\.yaml:\d+:\d+/);
  assert.equal(labelsOf(child(root, 'greetings.scenario.yaml').children).length, 2);
});

test('reloading keeps item identities, so results and expansion survive an edit', async () => {
  const dir = copyFixture();
  const { controller, tree } = await treeOf(dir);
  const root = controller.items.get(folder(dir).uri.toString());
  const before = child(child(root, 'greetings.scenario.yaml'), 'greets');
  tree.update(folder(dir) as unknown as vscodeTypes.WorkspaceFolder, await loadWorkspace(dir));
  assert.equal(child(child(root, 'greetings.scenario.yaml'), 'greets'), before);
});

test('selecting a file, a judge or everything runs whole scenarios; excluded ones are left out', async () => {
  const dir = copyFixture();
  const { controller, tree } = await treeOf(dir);
  const root = controller.items.get(folder(dir).uri.toString())!;
  const ids = (include?: FakeItem[], exclude?: FakeItem[]) =>
    [...selectScenarios(tree, include as never, exclude as never).get(dir) ?? []].map((item) => item.label);
  const greetings = child(root, 'greetings.scenario.yaml');
  const hangs = child(child(root, 'trouble.scenario.yaml'), 'hangs');
  assert.deepEqual(ids([greetings]), ['greets', 'polite']);
  assert.deepEqual(ids([child(child(greetings, 'polite'), 'says please')]), ['polite']);
  assert.deepEqual(ids(undefined, [hangs]), ['greets', 'polite', 'kind-words', 'uses-tools', 'crashes']);
});
