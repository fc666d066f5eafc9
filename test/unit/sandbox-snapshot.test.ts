/**
 * The sandbox snapshot streams files through the hash: a file of any size costs one buffer,
 * and files over 2 GiB (where a whole-file read throws) are recorded by size and hash. An
 * unchanged file is not read again for the second snapshot.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { collectArtifacts, snapshot } from '../../src/harness/sandbox';
import { tempWorkspace } from '../support/workspace';

const ws = tempWorkspace({ 'small.txt': 'hello\n' });
after(() => ws.dispose());

/** Peak resident set of this process so far, in bytes. */
const peakRss = () => process.resourceUsage().maxRSS * 1024;

test('a sparse file over 2 GiB is hashed by streaming, without raising the peak RSS', { timeout: 300_000 }, async () => {
  const size = 2 * 1024 ** 3 + 4096;
  const big = path.join(ws.dir, 'big.bin');
  // A sparse file: one byte at the end, holes before it (no disk space used).
  const fd = openSync(big, 'w');
  writeSync(fd, Buffer.from([1]), 0, 1, size - 1);
  closeSync(fd);

  const peakBefore = peakRss();
  const before = await snapshot(ws.dir);
  const grown = peakRss() - peakBefore;
  assert.ok(grown < 32 * 1024 * 1024, `peak RSS grew by ${(grown / 1024 / 1024).toFixed(1)} MiB while hashing a ${size}-byte file`);
  const state = before.get('big.bin')!;
  assert.equal(state.size, size);
  assert.match(state.sha256, /^[0-9a-f]{64}$/);
  assert.equal(before.get('small.txt')!.sha256, '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03');

  // Nothing changed: the second snapshot reuses the hash (by stamp), and there is no artifact.
  assert.deepEqual(await collectArtifacts(ws.dir, before), []);

  ws.write('small.txt', 'changed\n');
  const artifacts = await collectArtifacts(ws.dir, before);
  assert.deepEqual(artifacts.map((a) => [a.path, a.change, a.text]), [['small.txt', 'modified', 'changed\n']]);
});
