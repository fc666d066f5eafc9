import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { appendLabels, formatGoldenProblem, goldenFile, labelledTraceIds, listGoldenJudges, readLabels, removeLabels } from '../../src/core/golden/store';
import { labelKey, type GoldenLabel } from '../../src/core/golden/label';
import { REPO_ROOT, tempWorkspace } from '../support/workspace';

function label(traceNo: number, over: Partial<GoldenLabel> = {}): GoldenLabel {
  return {
    traceRef: { runId: 'r1', scenarioId: `s${traceNo}`, traceId: traceNo.toString(16).padStart(32, '0'), contentHash: 'ab'.repeat(32) },
    judgeId: 'answer-quality',
    judgeVersion: '1',
    value: 'yes',
    rationale: 'states every change',
    labeller: 'ana',
    time: new Date(Date.UTC(2025, 0, 1, 12, 0, traceNo)).toISOString(),
    ...over,
  };
}

function runWriter(dir: string, writer: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/fixtures/golden/writer.ts'), dir, 'answer-quality', writer, String(count)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${writer} exited ${code}: ${stderr}`))));
  });
}

test('labels round-trip through golden/<judge-id>.jsonl, one per line, several labellers per trace', async () => {
  const ws = tempWorkspace();
  try {
    await appendLabels(ws.dir, [label(1), label(1, { labeller: 'bo', value: 'no' })]);
    await appendLabels(ws.dir, [label(2)]);
    const file = goldenFile(ws.dir, 'answer-quality');
    assert.equal(file, path.join(ws.dir, 'golden', 'answer-quality.jsonl'));
    assert.equal(readFileSync(file, 'utf8').split('\n').length, 4, 'three lines and a final newline');
    const read = await readLabels(ws.dir, 'answer-quality');
    assert.deepEqual(read.problems, []);
    assert.deepEqual(read.labels, [label(1), label(1, { labeller: 'bo', value: 'no' }), label(2)]);
    assert.deepEqual(await listGoldenJudges(ws.dir), ['answer-quality']);
  } finally {
    ws.dispose();
  }
});

test('a judge without a golden file has no labels and no problems', async () => {
  const ws = tempWorkspace();
  try {
    assert.deepEqual(await readLabels(ws.dir, 'nothing-yet'), { file: goldenFile(ws.dir, 'nothing-yet'), labels: [], problems: [] });
    assert.deepEqual(await labelledTraceIds(ws.dir), new Set());
  } finally {
    ws.dispose();
  }
});

test('a judge id cannot climb out of the golden folder', () => {
  assert.throws(() => goldenFile('/ws', '../etc/passwd'), /not a judge id/);
});

test('an invalid label is refused before anything is written', async () => {
  const ws = tempWorkspace();
  try {
    await assert.rejects(appendLabels(ws.dir, [label(1, { labeller: '' })]), /labeller/);
    assert.equal(existsSync(goldenFile(ws.dir, 'answer-quality')), false);
  } finally {
    ws.dispose();
  }
});

test('four processes appending at once lose nothing and mix no lines', async () => {
  const ws = tempWorkspace();
  try {
    const writers = ['w1', 'w2', 'w3', 'w4'];
    await Promise.all(writers.map((w) => runWriter(ws.dir, w, 40)));
    const read = await readLabels(ws.dir, 'answer-quality');
    assert.deepEqual(read.problems, []);
    assert.equal(read.labels.length, 160);
    for (const w of writers) assert.equal(read.labels.filter((l) => l.labeller === w).length, 40, `all of ${w}'s labels`);
    assert.equal(existsSync(`${goldenFile(ws.dir, 'answer-quality')}.lock`), false, 'the lock is released');
  } finally {
    ws.dispose();
  }
});

test('a line truncated by a crash mid-append is reported with file:line, and nothing else is lost', async () => {
  const ws = tempWorkspace();
  try {
    await appendLabels(ws.dir, [label(1), label(2)]);
    const file = goldenFile(ws.dir, 'answer-quality');
    const whole = JSON.stringify(label(3));
    appendFileSync(file, whole.slice(0, whole.length / 2)); // the crash: half a line, no newline
    await appendLabels(ws.dir, [label(4)]);
    const read = await readLabels(ws.dir, 'answer-quality');
    assert.deepEqual(read.labels.map((l) => l.traceRef.scenarioId), ['s1', 's2', 's4']);
    assert.equal(read.problems.length, 1);
    assert.match(formatGoldenProblem(read.problems[0]!), new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: truncated label`));
  } finally {
    ws.dispose();
  }
});

test('a truncated last line is reported as truncated, a bad line in the middle as not a valid label', async () => {
  const ws = tempWorkspace();
  try {
    const file = goldenFile(ws.dir, 'answer-quality');
    await appendLabels(ws.dir, [label(1)]);
    appendFileSync(file, `${JSON.stringify({ ...label(2), value: null })}\n${JSON.stringify(label(3)).slice(0, 30)}`);
    const read = await readLabels(ws.dir, 'answer-quality');
    assert.deepEqual(read.labels, [label(1)]);
    assert.deepEqual(read.problems.map((p) => [p.line, p.message.split(':')[0]]), [[2, 'not a valid label'], [3, 'truncated label (the line ends mid-record, probably a crash while appending); delete the line or label that trace again']]);
  } finally {
    ws.dispose();
  }
});

test('removing a label (undo) keeps every other line, including unreadable ones', async () => {
  const ws = tempWorkspace();
  try {
    await appendLabels(ws.dir, [label(1), label(2), label(3)]);
    appendFileSync(goldenFile(ws.dir, 'answer-quality'), 'garbage\n');
    assert.equal(await removeLabels(ws.dir, 'answer-quality', new Set([labelKey(label(2))])), 1);
    const read = await readLabels(ws.dir, 'answer-quality');
    assert.deepEqual(read.labels.map((l) => l.traceRef.scenarioId), ['s1', 's3']);
    assert.equal(read.problems.length, 1, 'the garbage line is still there to be fixed by a person');
  } finally {
    ws.dispose();
  }
});

test('a lock left by a dead writer is broken; a live one is waited for', async () => {
  const ws = tempWorkspace();
  try {
    const file = goldenFile(ws.dir, 'answer-quality');
    ws.write('golden/answer-quality.jsonl', '');
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), time: Date.now() }));
    await appendLabels(ws.dir, [label(1)]);
    assert.equal((await readLabels(ws.dir, 'answer-quality')).labels.length, 1);

    writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), time: Date.now() }));
    const pending = appendLabels(ws.dir, [label(2)]);
    // Let the writer meet the live lock several times before its owner lets go.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal((await readLabels(ws.dir, 'answer-quality')).labels.length, 1, 'nothing is written while a live owner holds the lock');
    await (await import('node:fs/promises')).rm(`${file}.lock`);
    await pending;
    assert.equal((await readLabels(ws.dir, 'answer-quality')).labels.length, 2);
  } finally {
    ws.dispose();
  }
});

test('labelledTraceIds gathers the traces of every judge\'s labels', async () => {
  const ws = tempWorkspace();
  try {
    await appendLabels(ws.dir, [label(1), label(2)]);
    await appendLabels(ws.dir, [label(2, { judgeId: 'other' }), label(7, { judgeId: 'other' })]);
    assert.deepEqual([...(await labelledTraceIds(ws.dir))].sort(), [1, 2, 7].map((n) => n.toString(16).padStart(32, '0')));
  } finally {
    ws.dispose();
  }
});

test('a 0-byte or garbled lock (a writer killed between creating and writing it) is broken by its age', async () => {
  const ws = tempWorkspace();
  try {
    const file = goldenFile(ws.dir, 'answer-quality');
    ws.write('golden/answer-quality.jsonl', '');
    const { utimesSync } = await import('node:fs');
    for (const [i, content] of ['', '{"pid": 12', 'null', '[]'].entries()) {
      writeFileSync(`${file}.lock`, content);
      const old = new Date(Date.now() - 60_000);
      utimesSync(`${file}.lock`, old, old);
      await appendLabels(ws.dir, [label(i + 1)]);
      assert.equal(existsSync(`${file}.lock`), false);
    }
    // A fresh empty lock is waited out (its writer may be about to fill it), then broken.
    writeFileSync(`${file}.lock`, '');
    await appendLabels(ws.dir, [label(9)]);
    assert.equal((await readLabels(ws.dir, 'answer-quality')).labels.length, 5);
  } finally {
    ws.dispose();
  }
});

test('a writer SIGKILLed between open(O_EXCL) and writing its lock does not block the next label', async () => {
  const ws = tempWorkspace();
  try {
    const file = goldenFile(ws.dir, 'answer-quality');
    ws.write('golden/answer-quality.jsonl', '');
    // What a writer that creates the lock and then dies leaves: the kill lands after the open.
    const child = spawn(process.execPath, ['-e', `require('fs').openSync(${JSON.stringify(`${file}.lock`)}, 'wx'); process.stdout.write('opened'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    assert.equal(readFileSync(`${file}.lock`, 'utf8'), '', 'the killed writer left an empty lock');
    await appendLabels(ws.dir, [label(1)]);
    assert.equal((await readLabels(ws.dir, 'answer-quality')).labels.length, 1);
    assert.equal(existsSync(`${file}.lock`), false);
  } finally {
    ws.dispose();
  }
});

test('a lock is never seen without its owner: it is created with the pid already in it', async () => {
  const ws = tempWorkspace();
  try {
    const file = goldenFile(ws.dir, 'answer-quality');
    const { watch } = await import('node:fs');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.dirname(file), { recursive: true });
    const seen: string[] = [];
    const watcher = watch(path.dirname(file), (_, name) => {
      if (name === path.basename(`${file}.lock`)) {
        try {
          seen.push(readFileSync(`${file}.lock`, 'utf8'));
        } catch {
          // removed again already
        }
      }
    });
    try {
      for (let i = 1; i <= 20; i++) await appendLabels(ws.dir, [label(i)]);
    } finally {
      watcher.close();
    }
    for (const text of seen) assert.equal(typeof JSON.parse(text).pid, 'number');
    assert.deepEqual((await import('node:fs')).readdirSync(path.dirname(file)), ['answer-quality.jsonl'], 'no temp or lock file is left');
  } finally {
    ws.dispose();
  }
});
