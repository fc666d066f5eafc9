/**
 * The test trace builders scale to the traces users have: build() takes a quarter of a million
 * spans (it spread every span's end time into Math.max and overflowed the stack), and big
 * realistic traces stream to disk in exactly the store's format.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { toMlflowJson } from '../../src/core/trace/mlflow';
import { readTraceFile } from '../../src/core/trace/traceFile';
import type { Span } from '../../src/core/trace/model';
import { BIG_OUTPUT_BYTES, ERROR_WORD, realisticSpans, writeRealisticTrace } from '../support/realisticTrace';
import { generateLargeTrace, TraceBuilder, writeTraceFile } from '../support/traceBuilder';
import { tempWorkspace } from '../support/workspace';

const ws = tempWorkspace();
after(() => ws.dispose());

test('build() of a wide and deep trace of 200,000 spans: the duration is the latest end', () => {
  const b = new TraceBuilder();
  const root = b.span({ name: 'agent', spanType: 'AGENT', durationMs: 5 });
  for (let i = 0; i < 180_000; i++) b.span({ parent: root, name: 'tool', toolName: 'read_file', startMs: i % 1000, durationMs: 1 });
  let parent: Span = root;
  for (let depth = 0; depth < 20_000; depth++) parent = b.span({ parent, name: `level ${depth}`, startMs: depth, durationMs: 0.5 });
  const latest = b.span({ parent: root, name: 'last', startMs: 30_000, durationMs: 1234 });

  const trace = b.build();
  assert.equal(trace.spans.length, 200_002);
  assert.equal(trace.info.executionDurationMs, 31_234);
  assert.equal(trace.spans.at(-1), latest);
  assert.equal(trace.info.state, 'OK');
});

test('build() says ERROR when the root span failed, OK when only a child did', () => {
  const b = new TraceBuilder();
  const root = b.span({ name: 'agent' });
  b.span({ parent: root, name: 'tool', error: 'boom' });
  assert.equal(b.build().info.state, 'OK');
  const failed = new TraceBuilder();
  failed.span({ name: 'agent', error: 'boom' });
  assert.equal(failed.build().info.state, 'ERROR');
});

test('writeTraceFile streams byte for byte what the store writes, across chunk boundaries', async () => {
  const trace = generateLargeTrace(1_201);
  const file = path.join(ws.dir, 'large.trace.json');
  const { bytes, spans } = await writeTraceFile(file, trace.info, trace.spans, trace.artifacts);
  const expected = JSON.stringify(toMlflowJson(trace));
  assert.equal(readFileSync(file, 'utf8'), expected);
  assert.equal(bytes, Buffer.byteLength(expected));
  assert.equal(spans, 1_201);
});

test('a realistic trace: over 1 KB per span, one 1 MB output, about 1 % erroring spans, read back unchanged', async () => {
  const n = 3_000;
  const file = path.join(ws.dir, 'realistic.trace.json');
  const summary = await writeRealisticTrace(file, n);
  assert.equal(summary.spans, n);
  assert.equal(summary.bytes, statSync(file).size);

  const [trace] = await readTraceFile(file);
  assert.ok(trace);
  assert.equal(trace.spans.length, n);
  assert.deepEqual(trace.spans, [...realisticSpans(n)]);

  const big = trace.spans.find((s) => s.spanId === summary.bigOutputSpanId);
  assert.equal(typeof big?.outputs === 'string' && big.outputs.length, BIG_OUTPUT_BYTES);
  const perSpan = (summary.bytes - BIG_OUTPUT_BYTES) / n;
  assert.ok(perSpan > 1024, `${perSpan.toFixed(0)} bytes per span`);

  const erroring = trace.spans.filter((s) => s.status.code === 'ERROR');
  assert.equal(erroring.length, summary.erroring);
  assert.ok(erroring.length >= n * 0.008 && erroring.length <= n * 0.012, `${erroring.length} erroring spans of ${n}`);
  assert.ok(erroring.every((s) => s.status.message?.includes(ERROR_WORD) && s.events.some((e) => e.name === 'exception')));
  // The search word of the benchmarks marks the erroring spans and nothing else.
  assert.equal(trace.spans.filter((s) => JSON.stringify(s).includes(ERROR_WORD)).length, erroring.length);
  // Nested: root → step → call, and sub-agents one level deeper.
  assert.ok(trace.spans.some((s) => s.name === 'sub_agent' && trace.spans.some((c) => c.parentId === s.spanId)));
});
