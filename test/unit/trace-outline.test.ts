/**
 * The trace outline (issue 19): written beside a stored trace, byte ranges that land exactly on
 * each span's JSON, the same outline from a streaming scan of the file, and a stale, damaged or
 * missing outline rebuilt with a warning instead of trusted or failing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, utimesSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TraceStore } from '../../src/core/trace/store';
import { toMlflowJson } from '../../src/core/trace/mlflow';
import { outlinePathOf, OutlineView, type Outline } from '../../src/core/trace/outline';
import { SPAN_STATUS } from '../../src/core/trace/model';
import { loadOutline } from '../../src/core/trace/outlineLoad';
import { scanMlflowTrace } from '../../src/core/trace/outlineScan';
import type { Trace } from '../../src/core/trace/model';
import { artifact, TraceBuilder } from '../support/traceBuilder';
import { hostileTrace, storyTrace } from '../webview/fixtures';

/** A small trace with what a scanner can trip on: quotes, backslashes, brackets and non-ASCII in strings. */
function trickyTrace(): Trace {
  const b = new TraceBuilder();
  const root = b.span({ name: 'agent "root" {[', spanType: 'AGENT', durationMs: 100, inputs: { prompt: 'a\\"b\\\\c } ] { [' }, outputs: 'ünïcødé ✓ 𝄞' });
  b.span({ parent: root, name: 'tool\\', toolName: 'read_file', startMs: 5, durationMs: 3, inputs: { path: 'C:\\dir\\"x".txt' }, attributes: { 'k"}': ['v]', { n: 1 }] } });
  b.span({ parent: root, name: 'fails', toolName: 'write_file', startMs: 20, durationMs: 2, error: 'EACCES "denied"' });
  b.span({ parent: root, name: 'model', spanType: 'CHAT_MODEL', startMs: 10, durationMs: 4, tokens: { input: 7, output: 3 } });
  return b.build({ artifacts: [artifact('out/report.md', '# "Report" \\ ]}')] });
}

async function stored(trace: Trace): Promise<{ ws: string; file: string; outlineFile: string }> {
  const ws = mkdtempSync(path.join(tmpdir(), 'costar-outline-'));
  const file = await new TraceStore(ws).put(trace);
  return { ws, file, outlineFile: outlinePathOf(file) };
}

function readOutlineFile(outlineFile: string, traceFile: string): Outline {
  const stat = statSync(traceFile);
  const parsed = OutlineView.parse(readFileSync(outlineFile, 'utf8'), { bytes: stat.size, mtimeMs: stat.mtimeMs });
  assert.ok(!('problem' in parsed), `outline unreadable: ${'problem' in parsed ? parsed.problem : ''}`);
  return parsed.toOutline();
}

describe('trace outline', () => {
  it('is written beside a stored trace, and every byte range holds exactly that span\'s JSON', async () => {
    for (const trace of [trickyTrace(), hostileTrace(), storyTrace()]) {
      const { file, outlineFile } = await stored(trace);
      const bytes = readFileSync(file);
      // The store's bytes are unchanged by the piecewise serialization.
      assert.equal(bytes.toString('utf8'), JSON.stringify(toMlflowJson(trace)));
      const outline = readOutlineFile(outlineFile, file);
      const spansJson = (toMlflowJson(trace) as { data: { spans: object[] } }).data.spans.map((s) => JSON.stringify(s));
      assert.equal(outline.ids.length, trace.spans.length);
      for (let row = 0; row < outline.ids.length; row++) {
        const index = trace.spans.findIndex((s) => s.spanId === outline.ids[row]);
        assert.equal(bytes.subarray(outline.byteStart[row], outline.byteEnd[row]).toString('utf8'), spansJson[index], `row ${row}`);
      }
      const [start, end] = outline.artifactsRange!;
      assert.deepEqual(JSON.parse(bytes.subarray(start, end).toString('utf8')), trace.artifacts);
    }
  });

  it('holds the tree, status, timings, totals and artifacts the viewer shows', async () => {
    const { file, outlineFile } = await stored(trickyTrace());
    const o = readOutlineFile(outlineFile, file);
    assert.deepEqual(o.names, ['agent "root" {[', 'tool\\', 'model', 'fails']);
    assert.deepEqual(o.parents, [-1, 0, 0, 0]);
    assert.deepEqual(o.status, [SPAN_STATUS.OK, SPAN_STATUS.OK, SPAN_STATUS.OK, SPAN_STATUS.ERROR]);
    assert.deepEqual(o.startMs, [0, 5, 10, 20]);
    assert.deepEqual(o.durMs, [100, 3, 4, 2]);
    assert.deepEqual(o.totals, { spans: 4, errors: 1, inputTokens: 7, outputTokens: 3, totalTokens: 10, modelCalls: 1, toolCalls: 2, toolFailures: 1, extentMs: 100 });
    assert.deepEqual(o.artifacts, [{ path: 'out/report.md', size: 15, change: 'created', hasText: true }]);
  });

  it('a streaming scan of the file (in small chunks or not) gives the outline the store wrote', async () => {
    for (const trace of [trickyTrace(), hostileTrace()]) {
      const { file, outlineFile } = await stored(trace);
      const written = readOutlineFile(outlineFile, file);
      const handle = await open(file);
      try {
        // Chunks of 1 and 7 bytes cut every string, escape and bracket somewhere.
        for (const chunkBytes of [1, 7, 4096, undefined]) {
          const scanned = await scanMlflowTrace(handle, written.file, undefined, chunkBytes);
          assert.deepEqual(scanned, written, `chunks of ${chunkBytes ?? 'default'} bytes`);
        }
      } finally {
        await handle.close();
      }
    }
  });

  it('reads a fresh outline without building, and rebuilds a missing, damaged or stale one with a warning', async () => {
    const { file, outlineFile } = await stored(trickyTrace());
    const good = readOutlineFile(outlineFile, file);
    const fresh = await loadOutline(file, { outlineFile });
    assert.equal(fresh.built, false);
    assert.deepEqual(fresh.warnings, []);
    assert.deepEqual(fresh.outline.toOutline(), good);
    const text = readFileSync(outlineFile, 'utf8');
    const rewrite = (outline: Outline) => writeFileSync(outlineFile, OutlineView.of(outline).serialize());

    const damage: [string, () => void, RegExp][] = [
      ['missing', () => execFileSync('rm', [outlineFile]), /missing/],
      ['not JSON', () => writeFileSync(outlineFile, '{"version":2,'), /not valid JSON/],
      ['another version', () => writeFileSync(outlineFile, text.replace('"version":2', '"version":99')), /version 99/],
      ['cut short', () => writeFileSync(outlineFile, text.slice(0, -10)), /cut short/],
      ['a column altered', () => writeFileSync(outlineFile, text.replace('tool\\\\', 'tool/')), /names column is damaged/],
      ['ranges off by one', () => rewrite({ ...good, byteStart: good.byteStart.map((b) => b + 1) }), /does not hold a span object/],
      ['parents pointing forward', () => rewrite({ ...good, parents: good.parents.map(() => 3) }), /parent 3 is not an earlier row/],
      ['stale (trace rewritten)', () => {
        const t = statSync(file).mtime;
        utimesSync(file, t, new Date(t.getTime() + 5000));
      }, /another version of the trace file/],
    ];
    for (const [what, breakIt, warning] of damage) {
      breakIt();
      const loaded = await loadOutline(file, { outlineFile });
      assert.equal(loaded.built, true, what);
      assert.equal(loaded.warnings.length, 1, what);
      assert.match(loaded.warnings[0]!, warning, what);
      assert.match(loaded.warnings[0]!, /rebuilding it/, what);
      assert.deepEqual(loaded.outline.toOutline().ids, good.ids, what);
      // Rebuilt and written back: the next open reads it.
      const again = await loadOutline(file, { outlineFile });
      assert.equal(again.built, false, `${what}: rewritten`);
    }
  });

  it('builds the outline of a file outside the store in memory, and of a non-MLflow file from a private copy', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'costar-outline-file-'));
    const mlflow = path.join(dir, 'exported.trace.json');
    writeFileSync(mlflow, JSON.stringify(toMlflowJson(trickyTrace()), null, 2));
    const loaded = await loadOutline(mlflow);
    assert.equal(loaded.dataFile, mlflow);
    assert.equal(loaded.outline.spans, 4);
    assert.equal(existsSync(outlinePathOf(mlflow)), false, 'nothing is written beside a user\'s file');

    const otlp = path.join(dir, 'spans.json');
    writeFileSync(otlp, readFileSync(path.join(__dirname, '../fixtures/traces/otlp-uppercase.json')));
    const copy = await loadOutline(otlp);
    assert.notEqual(copy.dataFile, otlp);
    assert.ok(copy.tempDir && copy.dataFile.startsWith(copy.tempDir));
    const bytes = readFileSync(copy.dataFile);
    const o = copy.outline.toOutline();
    assert.ok(o.ids.length > 0);
    for (let row = 0; row < o.ids.length; row++) {
      const span = JSON.parse(bytes.subarray(o.byteStart[row], o.byteEnd[row]).toString('utf8')) as { name: string };
      assert.equal(span.name, o.names[row]);
    }
  });

  it('says which file and span is broken, and refuses what is not a regular file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'costar-outline-bad-'));
    const bad = path.join(dir, 'bad.trace.json');
    const doc = toMlflowJson(trickyTrace()) as { data: { spans: Record<string, unknown>[] } };
    doc.data.spans[1]!.name = 42;
    writeFileSync(bad, JSON.stringify(doc));
    await assert.rejects(loadOutline(bad), /bad\.trace\.json: data\.spans\[1\]\.name: expected a string/);
    const truncated = path.join(dir, 'cut.trace.json');
    writeFileSync(truncated, JSON.stringify(toMlflowJson(trickyTrace())).slice(0, 300));
    await assert.rejects(loadOutline(truncated), /cut\.trace\.json/);
    const fifo = path.join(dir, 'fifo.trace.json');
    execFileSync('mkfifo', [fifo]);
    await assert.rejects(loadOutline(fifo), /not a regular file/);
  });
});
