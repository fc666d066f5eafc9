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
import { fromMlflowJson, readMlflowSpan, toMlflowJson } from '../../src/core/trace/mlflow';
import { parseJsonKeepingNanos } from '../../src/core/trace/nanos';
import { OutlineBuilder, outlinePathOf, OutlineView, type Outline } from '../../src/core/trace/outline';
import { KNOWN_SPAN_TYPES, SPAN_STATUS } from '../../src/core/trace/model';
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

/**
 * An MLflow file as other tools export it: spans classified only by convention attributes
 * (OpenInference, GenAI, Traceloop, Vercel AI; JSON-encoded or raw), no coSTAR reserved keys,
 * and a top-level member the scanner skips, full of escapes.
 */
function conventionFile(): string {
  const kinds: Record<string, unknown>[] = [
    { 'openinference.span.kind': 'llm', 'input.value': '{"q": 1}', 'llm.token_count.prompt': '5', 'llm.model_name': 'gpt' },
    { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 4, 'gen_ai.input.messages': '[{"role":"user","content":"a \\"b\\""}]' },
    { 'gen_ai.tool.name': 'grep', 'gen_ai.tool.call.result': '{"hits":2}' },
    { 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'search', 'traceloop.entity.input': '{"args":[1]}' },
    { 'traceloop.entity.name': 'not a tool' },
    { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'read_file', 'ai.toolCall.args': '{"path":"a.csv"}' },
    { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'gpt-x', 'ai.usage.promptTokens': 7, 'ai.usage.completionTokens': 3, 'ai.prompt.messages': '[]' },
    { 'mlflow.spanType': 'RETRIEVER', 'openinference.span.kind': 'LLM' },
    { 'mlflow.chat.tokenUsage': { input_tokens: 10, output_tokens: 2, total_tokens: 12 }, 'mlflow.llm.model': 'x' },
    { 'costar.toolName': 'sh' },
    { 'openinference.span.kind': 'PROMPT' },
    { plain: 1, 'input.value': 'text' },
    { 'llm.usage.total_tokens': '9' },
  ];
  const b = new TraceBuilder();
  const root = b.span({ name: 'root', durationMs: 100 });
  kinds.forEach((_, n) => b.span({ parent: root, name: `span ${n}`, startMs: n, durationMs: 1 }));
  const doc = toMlflowJson(b.build()) as { data: { spans: { attributes: Record<string, unknown> }[] } } & Record<string, unknown>;
  doc.data.spans.forEach((span, n) => {
    const raw = kinds[n - 1] ?? {};
    // MLflow JSON-encodes attribute values; a raw number and a raw non-JSON string stay as they are.
    span.attributes = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, n === 2 && typeof v === 'number' ? v : JSON.stringify(v)]));
  });
  doc.data.spans[3]!.attributes['gen_ai.request.model'] = 'gpt-4o';
  doc.exportedBy = { note: 'quotes \\" and \\\\ and \\\\\\" ', nested: ['x"y\\', { z: '\\\\' }] };
  return JSON.stringify(doc, null, 1);
}

/** The outline the full reader gives for the MLflow `file`, with the byte ranges `scanned` found. */
function fullReadOutline(file: string, scanned: Outline): Outline {
  const trace = fromMlflowJson(parseJsonKeepingNanos(readFileSync(file, 'utf8')));
  const builder = new OutlineBuilder();
  for (const span of trace.spans) {
    const row = scanned.ids.indexOf(span.spanId);
    builder.add(span, [scanned.byteStart[row]!, scanned.byteEnd[row]!]);
  }
  return builder.finish(trace.info, trace.artifacts, scanned.artifactsRange, scanned.file);
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

const bySpanId = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));

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
          // Byte for byte what the store wrote beside the trace.
          assert.equal(OutlineView.of(scanned!).serialize(), readFileSync(outlineFile, 'utf8'), `chunks of ${chunkBytes ?? 'default'} bytes`);
        }
      } finally {
        await handle.close();
      }
    }
  });

  it('an exported MLflow file (conventions only, MLflow 2 and 3 shapes, bare nanos, skipped members) scans to the outline its full read gives', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'costar-outline-exported-'));
    const conventions = path.join(dir, 'conventions.trace.json');
    writeFileSync(conventions, conventionFile());
    const fixtures = ['mlflow-v2.json', 'mlflow-v3-base64.json'].map((f) => path.join(__dirname, '../fixtures/traces', f));
    for (const file of [conventions, ...fixtures]) {
      const stat = statSync(file);
      const handle = await open(file);
      try {
        const whole = await scanMlflowTrace(handle, { bytes: stat.size, mtimeMs: stat.mtimeMs });
        assert.ok(whole, file);
        const expected = OutlineView.of(fullReadOutline(file, whole)).serialize();
        // Chunks of 1–3 bytes split every escape run and quote of the skipped members somewhere.
        for (const chunkBytes of [1, 2, 3, 7, undefined]) {
          const scanned = await scanMlflowTrace(handle, { bytes: stat.size, mtimeMs: stat.mtimeMs }, undefined, chunkBytes);
          assert.equal(OutlineView.of(scanned!).serialize(), expected, `${path.basename(file)}, chunks of ${chunkBytes ?? 'default'} bytes`);
        }
        const text = readFileSync(file);
        const spans = (parseJsonKeepingNanos(text.toString('utf8')) as { data: { spans: unknown[] } }).data.spans;
        assert.deepEqual(whole.byteStart.map((start, row) => parseJsonKeepingNanos(text.subarray(start, whole.byteEnd[row]).toString('utf8'))).sort(bySpanId), [...spans].sort(bySpanId), `${path.basename(file)}: each range holds one span`);
      } finally {
        await handle.close();
      }
    }
    // The conventions decided the types and tokens (not a default every span shares).
    const stat = statSync(conventions);
    const handle = await open(conventions);
    const outline = (await scanMlflowTrace(handle, { bytes: stat.size, mtimeMs: stat.mtimeMs }))!;
    await handle.close();
    const typeOf = (name: string) => KNOWN_SPAN_TYPES[outline.types[outline.names.indexOf(name)]!];
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12].map((n) => typeOf(`span ${n}`)),
      ['LLM', 'CHAT_MODEL', 'TOOL', 'TOOL', 'UNKNOWN', 'TOOL', 'LLM', 'RETRIEVER', 'LLM', 'TOOL', 'UNKNOWN', 'LLM']);
    assert.deepEqual([outline.totals.inputTokens, outline.totals.outputTokens, outline.totals.totalTokens], [5 + 3 + 7 + 10, 4 + 3 + 2, 5 + 7 + 10 + 12 + 9]);
  });

  it('the outline read of a span rejects what the full read rejects, with the same message', () => {
    const good = (toMlflowJson(trickyTrace()) as { data: { spans: Record<string, unknown>[] } }).data.spans[1]!;
    const broken: [string, (span: Record<string, unknown>) => void][] = [
      ['not an object', () => {}],
      ['a bad span id', (s) => { s.span_id = 'not an id'; }],
      ['no span id', (s) => { delete s.span_id; }],
      ['a bad parent id', (s) => { s.parent_span_id = 42; }],
      ['a bad trace id', (s) => { s.trace_id = 'zz'; }],
      ['no name', (s) => { delete s.name; }],
      ['no start time', (s) => { delete s.start_time_unix_nano; }],
      ['a bad end time', (s) => { s.end_time_unix_nano = 'soon'; }],
      ['an unknown status code', (s) => { s.status = { code: 'STATUS_CODE_MAYBE' }; }],
      ['attributes not an object', (s) => { s.attributes = ['x']; }],
      ['events not an array', (s) => { s.events = {}; }],
      ['an event without a time', (s) => { s.events = [{ name: 'log', attributes: {} }]; }],
      ['an MLflow 2 span with a bad id', (s) => { s.context = { span_id: '0xnothex', trace_id: '0x' + 'a'.repeat(32) }; }],
    ];
    for (const [what, breakIt] of broken) {
      const span: unknown = what === 'not an object' ? ['a span?'] : structuredClone(good);
      breakIt(span as Record<string, unknown>);
      let message = '';
      assert.throws(() => readMlflowSpan(span, 'data.spans[1]'), (error: Error) => (message = error.message) !== '', what);
      assert.match(message, /^data\.spans\[1\]/, what);
      assert.throws(() => readMlflowSpan(span, 'data.spans[1]', 'outline'), (error: Error) => error.message === message, `${what}: ${message}`);
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
