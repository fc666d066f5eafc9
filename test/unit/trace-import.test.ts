import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readTraceFile, parseTraceText } from '../../src/core/trace/traceFile';
import { spansToTrace } from '../../src/core/trace/assemble';
import { fromMlflowJson, toMlflowJson } from '../../src/core/trace/mlflow';
import { decodeOtlpJson, toOtlpJson } from '../../src/core/trace/otlp';
import { hexToBase64 } from '../../src/core/trace/ids';
import type { Span, Trace } from '../../src/core/trace/model';

const FIXTURES = path.join(import.meta.dirname, '../fixtures/traces');
const fixture = (name: string) => path.join(FIXTURES, name);
const span = (trace: Trace, name: string): Span => {
  const found = trace.spans.find((s) => s.name === name);
  assert.ok(found, `no span ${name}`);
  return found;
};

test('OTLP JSON with UPPERCASE hex ids and numeric nanos: ids lowercased, nanos exact, AnyValues typed', async () => {
  const [trace, ...rest] = await readTraceFile(fixture('otlp-uppercase.json'), 'auto');
  assert.equal(rest.length, 0);
  assert.equal(trace!.info.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  const root = span(trace!, 'invoke_agent analyst');
  const chat = span(trace!, 'chat');
  assert.equal(root.spanId, '00f067aa0ba902b7');
  assert.equal(root.parentId, null, 'an empty parentSpanId means root');
  assert.equal(chat.parentId, root.spanId);
  // 1741083630123456789 is beyond 2^53: a plain JSON.parse would round it.
  assert.equal(root.startTimeUnixNano, '1741083630123456789');
  assert.equal(chat.startTimeUnixNano, '1741083630223456789', 'string nanos too');
  assert.equal(root.spanType, 'AGENT');
  assert.deepEqual(root.attributes, {
    'gen_ai.operation.name': 'invoke_agent', retries: 3, ratio: 0.5, ok: true, paths: ['a.csv', 'b.csv'], config: { depth: 2, mode: 'fast' },
  });
  assert.equal(chat.spanType, 'CHAT_MODEL');
  assert.deepEqual(chat.tokens, { input: 40, output: 9, total: 49 });
  assert.deepEqual(chat.inputs, [{ role: 'user', content: 'summarize' }], 'GenAI message events become inputs');
  assert.deepEqual(chat.outputs, [{ role: 'assistant', content: 'done' }]);
  assert.deepEqual(chat.status, { code: 'ERROR', message: 'partial' });
  assert.equal(trace!.info.state, 'OK', 'the root span decides the trace state; a failed child does not');
  assert.equal(trace!.info.requestTime, 1741083630123);
  assert.equal(trace!.info.executionDurationMs, 2000);
});

test('MLflow 3 JSON with base64 ids: ids, parents, types, inputs/outputs, tokens, info fields', async () => {
  const [trace] = await readTraceFile(fixture('mlflow-v3-base64.json'), 'mlflow');
  const t = trace!;
  assert.equal(t.info.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(t.info.requestTime, Date.parse('2025-03-04T10:20:30.123Z'));
  assert.equal(t.info.executionDurationMs, 1500);
  assert.deepEqual(t.info.metadata, { 'mlflow.sourceRun': 'abc' }, 'the schema version key is MLflow bookkeeping, not metadata');
  assert.deepEqual(t.info.tags, { 'mlflow.traceName': 'qa' });
  const root = span(t, 'qa');
  const chat = span(t, 'ChatModel');
  assert.equal(root.spanId, 'b7ad6b7169203331');
  assert.equal(chat.parentId, 'b7ad6b7169203331');
  assert.equal(root.startTimeUnixNano, '1741083630123456789');
  assert.equal(root.spanType, 'AGENT');
  assert.deepEqual(root.inputs, { question: 'What is coSTAR?' });
  assert.equal(root.outputs, 'A test loop.');
  assert.deepEqual(root.attributes, { 'custom.flag': true }, 'reserved mlflow.* keys become fields, the rest stays');
  assert.deepEqual(chat.tokens, { input: 12, output: 5, total: 17 });
  assert.deepEqual(chat.status, { code: 'ERROR', message: 'rate limited' });
  assert.deepEqual(chat.events, [{ name: 'retry', timeUnixNano: '1741083630323456789', attributes: { attempt: 2 } }]);
});

test('MLflow 2 spans ("0x" hex ids in context, parent_id, start_time, status_code) and v2 info', async () => {
  const [trace] = await readTraceFile(fixture('mlflow-v2.json'), 'auto');
  const t = trace!;
  assert.equal(t.info.traceId, '5b8efff798038103d269b633813fc60c');
  assert.equal(t.info.requestTime, 1700000000000);
  assert.equal(t.info.executionDurationMs, 250);
  assert.equal(t.info.state, 'ERROR');
  const root = span(t, 'pipeline');
  const lookup = span(t, 'lookup');
  assert.equal(root.parentId, null);
  assert.equal(lookup.parentId, root.spanId);
  assert.equal(root.spanType, 'CHAIN');
  assert.deepEqual(root.inputs, { x: 1 });
  assert.deepEqual(root.status, { code: 'ERROR', message: 'boom' });
  assert.equal(root.events[0]!.timeUnixNano, '1700000000200000000');
  assert.equal(lookup.spanType, 'TOOL');
  assert.deepEqual(lookup.outputs, ['a', 'b']);
});

test('MLflow → Trace → MLflow keeps ids, parents, times, status, attributes, inputs/outputs', async () => {
  const [original] = await readTraceFile(fixture('mlflow-v3-base64.json'), 'mlflow');
  const written = toMlflowJson(original!) as { info: Record<string, unknown>; data: { spans: Record<string, any>[] } };
  assert.equal(written.info.trace_id, 'tr-0af7651916cd43dd8448eb211c80319c');
  const chat = written.data.spans.find((s) => s.name === 'ChatModel')!;
  assert.equal(chat.span_id, hexToBase64('00f067aa0ba902b7'));
  assert.equal(chat.parent_span_id, hexToBase64('b7ad6b7169203331'));
  assert.equal(chat.status.code, 'STATUS_CODE_ERROR');
  assert.equal(chat.attributes['mlflow.spanType'], '"CHAT_MODEL"', 'attribute values are JSON-encoded as MLflow expects');
  assert.equal(chat.attributes['mlflow.traceRequestId'], '"tr-0af7651916cd43dd8448eb211c80319c"', 'MLflow refuses spans without it');
  assert.deepEqual(JSON.parse(chat.attributes['mlflow.chat.tokenUsage']), { input_tokens: 12, output_tokens: 5, total_tokens: 17 });
  // Through text, as the store does.
  assert.deepEqual(fromMlflowJson(JSON.parse(JSON.stringify(written))), original);
});

test('a Trace survives MLflow JSON and OTLP JSON exactly, artifacts included', () => {
  const trace: Trace = {
    info: { traceId: 'ab'.repeat(16), requestTime: 1741083630123, executionDurationMs: 42, state: 'OK', metadata: { 'costar.run_id': 'r1' }, tags: { t: 'v' }, requestPreview: '"hi"' },
    spans: [
      { spanId: '01'.repeat(8), parentId: null, name: 'root', spanType: 'AGENT', startTimeUnixNano: '1741083630123000001', endTimeUnixNano: '1741083630165000009', status: { code: 'OK' }, inputs: 'hi', attributes: { n: 1, nested: { a: [1, 'x'] } }, events: [] },
      { spanId: '02'.repeat(8), parentId: '01'.repeat(8), name: 'tool', spanType: 'TOOL', toolName: 'read_file', startTimeUnixNano: '1741083630124000000', endTimeUnixNano: '1741083630125000000', status: { code: 'ERROR', message: 'ENOENT' }, outputs: { error: 'ENOENT' }, attributes: {}, events: [{ name: 'exception', timeUnixNano: '1741083630124500000', attributes: { 'exception.message': 'ENOENT' } }] },
      { spanId: '03'.repeat(8), parentId: '01'.repeat(8), name: 'llm', spanType: 'LLM', tokens: { input: 1, output: 2, total: 3 }, startTimeUnixNano: '1741083630126000000', endTimeUnixNano: '1741083630127000000', status: { code: 'UNSET' }, attributes: {}, events: [] },
    ],
    artifacts: [{ path: 'out/features.py', size: 5, sha256: 'f'.repeat(64), change: 'created', text: 'x = 1' }],
  };
  assert.deepEqual(fromMlflowJson(JSON.parse(JSON.stringify(toMlflowJson(trace)))), trace);

  const otlp = decodeOtlpJson(JSON.parse(JSON.stringify(toOtlpJson([trace]))));
  assert.deepEqual(otlp.get(trace.info.traceId), trace.spans);
});

test('JSON Lines of OTLP requests give one trace per trace id', async () => {
  const traces = await readTraceFile(fixture('otlp-lines.jsonl'), 'otlp');
  assert.deepEqual(traces.map((t) => [t.info.traceId, t.spans[0]!.name, t.info.metadata['costar.trace_source']]), [
    ['1'.repeat(32), 'line0', 'file'],
    ['2'.repeat(32), 'line1', 'file'],
  ]);
});

test('bad input is reported with the field (and line) that is wrong', () => {
  assert.throws(() => parseTraceText('{"hello": 1}', 'auto'), /neither MLflow trace JSON .*, OTLP JSON .* nor a Jaeger API v3 response .*--format/);
  assert.throws(() => parseTraceText('{"resourceSpans":[]}\nnot json\n', 'auto'), /line 2: not valid JSON/);
  assert.throws(
    () => parseTraceText(JSON.stringify({ info: { trace_id: 'tr-' + 'a'.repeat(32), request_time: 0, state: 'OK' }, data: { spans: [{ span_id: 'zz', name: 'x', start_time_unix_nano: 1 }] } }), 'mlflow'),
    /document: data\.spans\[0\]\.span_id: expected a 8-byte \(or 4-byte\) id as hex \(16 digits\) or base64, got "zz"/,
  );
  assert.throws(() => fromMlflowJson({ info: { trace_id: 'tr-' + 'a'.repeat(32), request_time: 'yesterday', state: 'OK' }, data: { spans: [] } }), /info\.request_time: expected an RFC 3339 time/);
  assert.throws(() => fromMlflowJson({ info: { trace_id: 'tr-' + 'a'.repeat(32), request_time: 0, state: 'DONE' }, data: { spans: [] } }), /info\.state: expected OK, ERROR or IN_PROGRESS, got "DONE"/);
  assert.throws(() => decodeOtlpJson({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), startTimeUnixNano: 'soon' }] }] }] }), /spans\[0\]\.startTimeUnixNano: expected nanoseconds/);
});

test('spansToTrace: the root gives previews (capped) and state; times span all spans; caller fields win', () => {
  const base = { spanType: 'UNKNOWN' as const, attributes: {}, events: [] };
  const spans: Span[] = [
    { ...base, spanId: '02'.repeat(8), parentId: '01'.repeat(8), name: 'child', startTimeUnixNano: '2000000', endTimeUnixNano: '9000000', status: { code: 'OK' } },
    { ...base, spanId: '01'.repeat(8), parentId: null, name: 'root', startTimeUnixNano: '1000000', endTimeUnixNano: '5000000', status: { code: 'ERROR' }, inputs: { q: 'x'.repeat(2000) }, outputs: 'done' },
  ];
  const trace = spansToTrace(spans, { traceId: 'c'.repeat(32), metadata: { 'costar.run_id': 'r' } });
  assert.equal(trace.info.state, 'ERROR');
  assert.equal(trace.info.requestTime, 1);
  assert.equal(trace.info.executionDurationMs, 8, 'from the earliest start to the latest end');
  assert.equal(trace.info.requestPreview!.length, 1000);
  assert.match(trace.info.requestPreview!, /^\{"q":"x+\.\.\.$/);
  assert.equal(trace.info.responsePreview, 'done');
  assert.deepEqual(trace.info.metadata, { 'costar.run_id': 'r' });
  assert.equal(spansToTrace(spans, { traceId: 'c'.repeat(32), state: 'OK' }).info.state, 'OK');
});
