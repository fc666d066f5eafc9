/**
 * The outline cache for trace files outside a trace store: a big file is scanned once, the
 * outline lives in the extension's storage (never beside the user's file), a changed file is
 * scanned again, and the cache keeps the outlines used last within its budget.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { toMlflowJson } from '../../src/core/trace/mlflow';
import { cachedOutlinePath, noteOutlineUsed } from '../../src/core/trace/outlineCache';
import { loadOutline } from '../../src/core/trace/outlineLoad';
import { traceTarget } from '../../src/extension/traceViewer/traceSources';
import { storyTrace } from '../webview/fixtures';

const temp = () => mkdtempSync(path.join(tmpdir(), 'costar-outline-cache-'));

describe('outline cache', () => {
  it('names one outline per file path, inside the cache folder', () => {
    const cache = temp();
    const a = cachedOutlinePath(cache, '/home/dev/exports/a.trace.json');
    assert.equal(path.dirname(a), cache);
    assert.match(path.basename(a), /^[0-9a-f]{32}\.outline\.json$/);
    assert.equal(cachedOutlinePath(cache, '/home/dev/exports/../exports/a.trace.json'), a, 'the same file by another spelling');
    assert.notEqual(cachedOutlinePath(cache, '/home/dev/exports/b.trace.json'), a);
  });

  it('is where a file outside any trace store gets its outline; a stored trace keeps its own beside it', async () => {
    const dir = temp();
    const cache = path.join(dir, 'cache');
    const file = path.join(dir, 'export.trace.json');
    assert.deepEqual(await traceTarget({ kind: 'file', uri: file }, undefined, undefined, cache), { file, outlineFile: cachedOutlinePath(cache, file), outlineCache: cache });
    assert.deepEqual(await traceTarget({ kind: 'file', uri: file }, undefined), { file }, 'no cache folder: built in memory');
    const stored = path.join(dir, 'ws', '.costar', 'traces', `${'a'.repeat(32)}.trace.json`);
    const target = await traceTarget({ kind: 'file', uri: stored }, undefined, undefined, cache);
    assert.equal(target.outlineFile, path.join(path.dirname(stored), `${'a'.repeat(32)}.outline.json`));
    assert.equal(target.outlineCache, undefined);
  });

  it('scans a file once: the next opening reads the cached outline; a changed file is scanned again', async () => {
    const dir = temp();
    const cache = path.join(dir, 'cache');
    const file = path.join(dir, 'export.trace.json');
    writeFileSync(file, JSON.stringify(toMlflowJson(storyTrace())));
    const outlineFile = cachedOutlinePath(cache, file);
    const first = await loadOutline(file, { outlineFile, cached: true });
    assert.equal(first.built, true);
    assert.deepEqual(first.warnings, [], 'a first opening is no news');
    assert.ok(existsSync(outlineFile));
    assert.deepEqual(readdirSync(dir).sort(), ['cache', 'export.trace.json'], 'nothing written beside the file');
    const second = await loadOutline(file, { outlineFile, cached: true });
    assert.equal(second.built, false);
    assert.deepEqual(second.outline.toOutline(), first.outline.toOutline());

    const changed = storyTrace();
    changed.spans = changed.spans.slice(0, 3);
    writeFileSync(file, JSON.stringify(toMlflowJson(changed)));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const third = await loadOutline(file, { outlineFile, cached: true });
    assert.equal(third.built, true);
    assert.equal(third.outline.spans, 3);
    assert.match(third.warnings[0] ?? '', /describes another version of the trace file/);
  });

  it('keeps the outlines used last within the budget, and always the one in use', async () => {
    const cache = temp();
    const at = (name: string, bytes: number, minutesAgo: number) => {
      const file = path.join(cache, `${name}.outline.json`);
      writeFileSync(file, 'x'.repeat(bytes));
      const when = new Date(Date.now() - minutesAgo * 60_000);
      utimesSync(file, when, when);
      return file;
    };
    const oldest = at('oldest', 400, 30);
    const old = at('old', 400, 20);
    const recent = at('recent', 400, 10);
    writeFileSync(path.join(cache, 'notes.txt'), 'y'.repeat(5000));
    // Opening the oldest makes it the newest: the one used longest ago now is "old".
    assert.deepEqual(await noteOutlineUsed(cache, oldest, 1000), [old]);
    assert.deepEqual(readdirSync(cache).sort(), ['notes.txt', 'oldest.outline.json', 'recent.outline.json']);
    // One outline bigger than the whole budget stays while it is the one in use.
    const huge = at('huge', 5000, 60);
    assert.deepEqual((await noteOutlineUsed(cache, huge, 1000)).sort(), [oldest, recent].sort());
    assert.ok(existsSync(huge));
    assert.deepEqual(await noteOutlineUsed(path.join(cache, 'missing'), huge, 1000), [], 'no folder yet: nothing to do');
    mkdirSync(path.join(cache, 'sub.outline.json'));
    assert.deepEqual(await noteOutlineUsed(cache, huge, 1000), [], 'a folder is not an outline');
  });
});
