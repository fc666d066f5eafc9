/**
 * The outside-writes watch on a real folder: what counts as a write (created, changed — even
 * with a forged mtime —, deleted, a symlink re-pointed), what is not watched, and the shared
 * scanner never hands an "after" scan that started before the write it must see.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { compareWorkspace, scanWorkspace, WorkspaceScanner } from '../../src/harness/workspaceWatch';
import { tempWorkspace } from '../support/workspace';

test('created, changed (same size, mtime forged back), deleted and re-pointed symlinks are writes; .costar, .git, node_modules are not watched', async () => {
  const ws = tempWorkspace({
    'judges/gate.mjs': 'export default () => false;\n',
    'keep.txt': 'same\n',
    'gone.txt': 'bye\n',
    'a.txt': 'a',
    'b.txt': 'b',
  });
  try {
    symlinkSync('a.txt', path.join(ws.dir, 'link'));
    const before = await scanWorkspace(ws.dir);
    const gate = path.join(ws.dir, 'judges', 'gate.mjs');
    const { atime, mtime } = statSync(gate);
    writeFileSync(gate, 'export default () => true;\n'); // same length
    utimesSync(gate, atime, mtime); // the forged mtime; ctime still moves
    ws.write('new/dir/file.txt', 'x');
    unlinkSync(path.join(ws.dir, 'gone.txt'));
    unlinkSync(path.join(ws.dir, 'link'));
    symlinkSync('b.txt', path.join(ws.dir, 'link'));
    ws.write('.costar/traces/t.json', '{}');
    ws.write('.git/HEAD', 'ref');
    ws.write('node_modules/x/index.js', '');
    const writes = compareWorkspace(before, await scanWorkspace(ws.dir));
    assert.deepEqual(writes, [
      { path: 'gone.txt', change: 'deleted' },
      { path: 'judges/gate.mjs', change: 'changed' },
      { path: 'link', change: 'changed' },
      { path: 'new', change: 'created' },
      { path: 'new/dir', change: 'created' },
      { path: 'new/dir/file.txt', change: 'created' },
    ]);
  } finally {
    ws.dispose();
  }
});

test('the shared scanner: fresh() after a write never returns a scan that started before it', async () => {
  const ws = tempWorkspace({});
  try {
    for (let i = 0; i < 3000; i++) ws.write(`many/${i % 30}/${i}.txt`, '');
    const scanner = new WorkspaceScanner(ws.dir);
    const before = await scanner.current();
    const running = scanner.current(); // a scan in flight (3,000 entries: it yields at least twice)
    writeFileSync(path.join(ws.dir, 'late.txt'), 'written while a scan runs');
    const after = await scanner.fresh();
    assert.notEqual(after, await running);
    assert.deepEqual(compareWorkspace(before, after), [{ path: 'late.txt', change: 'created' }]);
    // Attempts that ask while one scan runs share the next one.
    const first = scanner.current();
    const [a, b] = [scanner.fresh(), scanner.fresh()];
    assert.equal(a, b);
    await Promise.all([first, a]);
  } finally {
    ws.dispose();
  }
});

test('a scan of a folder removed while it runs ends without an error', async () => {
  const ws = tempWorkspace({});
  try {
    for (let i = 0; i < 2000; i++) ws.write(`tree/${i % 20}/${i}`, '');
    const scan = scanWorkspace(ws.dir);
    rmSync(path.join(ws.dir, 'tree'), { recursive: true, force: true });
    mkdirSync(path.join(ws.dir, 'tree'));
    const state = await scan;
    assert.equal(state.truncated, false);
  } finally {
    ws.dispose();
  }
});
