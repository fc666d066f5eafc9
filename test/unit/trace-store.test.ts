import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TraceStore } from '../../src/core/trace/store';
import { readTraceFile } from '../../src/core/trace/traceFile';
import { traceContentHash } from '../../src/core/trace/hash';
import { fromMlflowJson } from '../../src/core/trace/mlflow';
import type { Trace } from '../../src/core/trace/model';

const FIXTURES = path.join(import.meta.dirname, '../fixtures/traces');
const tempWorkspace = () => mkdtempSync(path.join(os.tmpdir(), 'costar-store-'));

test('MLflow file → store → MLflow: ids, parents and attributes survive, file is MLflow-shaped', async () => {
  const store = new TraceStore(tempWorkspace());
  const [imported] = await readTraceFile(path.join(FIXTURES, 'mlflow-v3-base64.json'), 'mlflow');
  const file = await store.put(imported!);
  assert.equal(file, path.join(store.dir, '0af7651916cd43dd8448eb211c80319c.trace.json'));
  assert.equal(file, store.path(imported!.info.traceId));

  const stored = JSON.parse(await fs.readFile(file, 'utf8'));
  assert.deepEqual(Object.keys(stored), ['info', 'data', 'costar'], 'info first, so list() can stop early');
  assert.equal(stored.info.trace_id, 'tr-0af7651916cd43dd8448eb211c80319c');

  const back = await store.get(imported!.info.traceId);
  assert.deepEqual(back, imported);
  assert.deepEqual(back!.spans.map((s) => [s.spanId, s.parentId]), [['b7ad6b7169203331', null], ['00f067aa0ba902b7', 'b7ad6b7169203331']]);
  assert.equal(await store.has(imported!.info.traceId), true);
  assert.equal(await store.has('f'.repeat(32)), false);
  assert.equal(await store.get('f'.repeat(32)), undefined);
});

test('list() returns infos newest first, skips temp files, and reads only the info object', async () => {
  const store = new TraceStore(tempWorkspace());
  assert.deepEqual(await store.list(), [], 'no store folder yet');
  const make = (id: string, requestTime: number): Trace => ({
    info: { traceId: id.repeat(32), requestTime, executionDurationMs: 1, state: 'OK', metadata: { note: 'brace } and "quote" inside' }, tags: {} },
    spans: [],
    artifacts: [],
  });
  await store.put(make('1', 1000));
  await store.put(make('2', 3000));
  await fs.writeFile(path.join(store.dir, '.2222.trace.json.123.tmp'), '{"info": half');

  // Damage the data part of one file: list() never reads it, get() reports the file.
  const damaged = store.path('1'.repeat(32));
  const text = await fs.readFile(damaged, 'utf8');
  await fs.writeFile(damaged, text.slice(0, text.indexOf('"data"') + 10));

  const infos = await store.list();
  assert.deepEqual(infos.map((i) => i.traceId), ['2'.repeat(32), '1'.repeat(32)]);
  assert.equal(infos[1]!.metadata.note, 'brace } and "quote" inside');
  await assert.rejects(store.get('1'.repeat(32)), new RegExp(`${damaged.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
});

test('path() refuses anything but a trace id, so no file outside the store can be named', () => {
  const store = new TraceStore(tempWorkspace());
  assert.throws(() => store.path('../../etc/passwd'), /not a trace id/);
  assert.throws(() => store.path('A'.repeat(32)), /32 lowercase hex/);
});

test('a writer killed with SIGKILL mid-write never leaves a half file in the store', async () => {
  const workspace = tempWorkspace();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(FIXTURES, 'store-writer.mts'), workspace], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  // Wait until several large writes completed (files are replaced while being rewritten), then kill.
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (/wrote 6\n/.test(out)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
  });
  child.kill('SIGKILL');
  await exited;

  const store = new TraceStore(workspace);
  const names = (await fs.readdir(store.dir)).filter((name) => !name.startsWith('.'));
  const files = names.filter((name) => name.endsWith('.trace.json'));
  assert.ok(files.length >= 4, `expected the 4 trace files, got ${names.join(', ')}`);
  // Outlines beside the traces are written atomically too: never half a file.
  for (const name of names.filter((n) => n.endsWith('.outline.json'))) {
    const text = await fs.readFile(path.join(store.dir, name), 'utf8');
    assert.ok(text.endsWith('\n'), `${name} is complete`);
    JSON.parse(text.slice(0, text.indexOf('\n')));
  }
  for (const name of files) {
    const trace = fromMlflowJson(JSON.parse(await fs.readFile(path.join(store.dir, name), 'utf8')));
    assert.equal(trace.spans.length, 5000, `${name} is complete`);
  }
  assert.equal((await store.list()).length, 4);
});

test('traceContentHash is stable across key order and ignores tags, but sees any span change', async () => {
  const [trace] = await readTraceFile(path.join(FIXTURES, 'mlflow-v3-base64.json'), 'mlflow');
  const t = trace!;
  const hash = traceContentHash(t);
  assert.match(hash, /^[0-9a-f]{64}$/);
  const reordered = JSON.parse(JSON.stringify({ artifacts: t.artifacts, spans: t.spans, info: t.info }));
  assert.equal(traceContentHash(reordered), hash);
  assert.equal(traceContentHash({ ...t, info: { ...t.info, tags: { label: 'reviewed' } } }), hash);
  const changed = structuredClone(t);
  changed.spans[1]!.outputs = 'different';
  assert.notEqual(traceContentHash(changed), hash);
});
