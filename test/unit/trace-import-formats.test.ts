/**
 * `costar import` formats beyond one document per trace: spans of one trace spread over many
 * requests (JSON Lines, as exporters that send one request per span produce), OTLP protobuf
 * files written with the real OpenTelemetry JS serializer, Jaeger API v3 responses, and MLflow
 * info fields that must survive (assessments, experiment, client request id, original id).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { context, trace as otelTrace, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { readTraceFile } from '../../src/core/trace/traceFile';
import { fromMlflowJson, toMlflowJson } from '../../src/core/trace/mlflow';
import { parseJsonKeepingNanos } from '../../src/core/trace/nanos';

const dir = mkdtempSync(path.join(tmpdir(), 'costar-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, data: string | Uint8Array) => {
  const file = path.join(dir, name);
  writeFileSync(file, data);
  return file;
};

/** Five spans of one trace (agent → llm, two tools, one failing), recorded by the real SDK. */
function recordSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('import-test', '1.2.3');
  const root = tracer.startSpan('agent', { attributes: { 'openinference.span.kind': 'AGENT' } });
  const ctx = otelTrace.setSpan(context.active(), root);
  tracer.startSpan('chat', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 2 } }, ctx).end();
  tracer.startSpan('read_file', { attributes: { 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'read_file' } }, ctx).end();
  const bad = tracer.startSpan('run_check', { attributes: { 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'run_check' } }, ctx);
  bad.recordException(new Error('lint failed'));
  bad.setStatus({ code: SpanStatusCode.ERROR });
  bad.end();
  tracer.startSpan('summarise', { attributes: { 'traceloop.span.kind': 'task' } }, ctx).end();
  root.end();
  return exporter.getFinishedSpans();
}

function assertFiveSpanTrace(traces: Awaited<ReturnType<typeof readTraceFile>>): void {
  assert.equal(traces.length, 1, 'one trace, not one per request');
  const spans = traces[0]!.spans;
  assert.deepEqual(spans.map((s) => s.name).sort(), ['agent', 'chat', 'read_file', 'run_check', 'summarise']);
  const byName = (n: string) => spans.find((s) => s.name === n)!;
  assert.equal(byName('read_file').spanType, 'TOOL');
  assert.equal(byName('run_check').toolName, 'run_check');
  assert.deepEqual(byName('run_check').status, { code: 'ERROR', message: 'lint failed' });
  assert.equal(byName('summarise').spanType, 'TASK');
  assert.deepEqual(byName('chat').scope, { name: 'import-test', version: '1.2.3' });
  for (const s of spans.filter((x) => x.name !== 'agent')) assert.equal(s.parentId, byName('agent').spanId);
}

test('JSON Lines with one OTLP request per span (the real JSON serializer) are merged into one trace of five spans', async () => {
  const lines = recordSpans().map((span) => Buffer.from(JsonTraceSerializer.serializeRequest([span])!).toString('utf8'));
  assert.equal(lines.length, 5);
  assertFiveSpanTrace(await readTraceFile(write('per-span.jsonl', `${lines.join('\n')}\n`), 'auto'));
  // The same span sent twice (an exporter retry) is kept once.
  assertFiveSpanTrace(await readTraceFile(write('retried.jsonl', `${[...lines, lines[1]].join('\n')}\n`), 'otlp'));
});

test('OTLP protobuf files: one ExportTraceServiceRequest, or length-prefixed requests (collector file exporter)', async () => {
  const spans = recordSpans();
  assertFiveSpanTrace(await readTraceFile(write('one.pb', ProtobufTraceSerializer.serializeRequest(spans)!), 'auto'));
  const framed = Buffer.concat(spans.map((span) => {
    const message = Buffer.from(ProtobufTraceSerializer.serializeRequest([span])!);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(message.length);
    return Buffer.concat([prefix, message]);
  }));
  assertFiveSpanTrace(await readTraceFile(write('framed.binpb', framed), 'otlp'));
  await assert.rejects(readTraceFile(write('cut.binpb', framed.subarray(0, framed.length - 3)), 'auto'), /cut\.binpb: message 5: its length prefix says \d+ bytes but only \d+ follow/);
  await assert.rejects(readTraceFile(write('notes.txt', 'hello\n'), 'auto'), /notes\.txt: not JSON .* OTLP protobuf/);
  await assert.rejects(readTraceFile(path.join(dir, 'missing.json'), 'auto'), /missing\.json: cannot read it \(ENOENT\)/);
});

test('Jaeger API v3 responses ({"result": OTLP JSON}, also as a stream of results) are read', async () => {
  const spans = recordSpans();
  const result = (s: ReadableSpan[]) => JSON.stringify({ result: JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(s)!).toString('utf8')) });
  assertFiveSpanTrace(await readTraceFile(write('jaeger.json', result(spans)), 'auto'));
  assertFiveSpanTrace(await readTraceFile(write('jaeger-stream.json', `${result(spans.slice(0, 2))}\n${result(spans.slice(2))}\n`), 'auto'));
  await assert.rejects(readTraceFile(write('jaeger-error.json', '{"error":{"httpCode":404,"message":"trace not found"}}'), 'auto'), /jaeger-error\.json: document: a Jaeger error response, not a trace: "trace not found"/);
});

const ASSESSMENT = {
  assessment_id: 'a-1', assessment_name: 'correct', trace_id: 'tr-x', source: { source_type: 'HUMAN', source_id: 'ann' },
  feedback: { value: true }, rationale: 'right answer', create_time: '2025-03-04T10:20:31Z', last_update_time: '2025-03-04T10:20:31Z',
};

test('MLflow v3 info: assessments, experiment id, client_request_id and a non-hex trace id survive read and write', async () => {
  const doc = {
    info: {
      trace_id: 'tr-custom-backend-id-42', client_request_id: 'req-7',
      trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: '17' } },
      request_time: '2025-03-04T10:20:30.123Z', execution_duration_ms: 5, state: 'OK', trace_metadata: {}, tags: {}, assessments: [ASSESSMENT],
    },
    data: { spans: [{ trace_id: Buffer.from('ab'.repeat(16), 'hex').toString('base64'), span_id: 'AQIDBA==', parent_span_id: '', name: 'root', start_time_unix_nano: '1', end_time_unix_nano: '2', status: { code: 'STATUS_CODE_OK' }, attributes: {} }] },
  };
  const [trace] = await readTraceFile(write('v3.json', JSON.stringify(doc)), 'auto');
  const info = trace!.info;
  assert.equal(info.traceId, 'ab'.repeat(16), 'the OTel id comes from the spans when MLflow\'s id is not tr-<hex>');
  assert.equal(info.mlflowTraceId, 'tr-custom-backend-id-42');
  assert.equal(info.experimentId, '17');
  assert.equal(info.clientRequestId, 'req-7');
  assert.deepEqual(info.assessments, [ASSESSMENT]);
  assert.equal(trace!.spans[0]!.spanId, '0000000001020304', 'a 4-byte span id (base64) is widened');

  const written = toMlflowJson(trace!) as { info: Record<string, any> };
  assert.equal(written.info.trace_id, 'tr-custom-backend-id-42');
  assert.equal(written.info.client_request_id, 'req-7');
  assert.equal(written.info.trace_location.mlflow_experiment.experiment_id, '17');
  assert.deepEqual(written.info.assessments, [ASSESSMENT]);
  assert.deepEqual(fromMlflowJson(JSON.parse(JSON.stringify(written))), trace);
});

test('MLflow v2 info: experiment_id, request_id, assessments kept; 4-byte hex span ids accepted', async () => {
  const doc = {
    info: { request_id: '5b8efff798038103d269b633813fc60c', experiment_id: '3', timestamp_ms: 1700000000000, execution_time_ms: 250, status: 'OK', request_metadata: {}, tags: {}, assessments: [ASSESSMENT] },
    data: { spans: [
      { name: 'root', context: { span_id: '1a2b3c4d', trace_id: '0x5b8efff798038103d269b633813fc60c' }, parent_id: null, start_time: 1700000000000000000, end_time: 1700000000250000000, status_code: 'OK', attributes: { 'mlflow.spanType': '"WORKFLOW"' } },
      { name: 'child', context: { span_id: '0x00ff00ff', trace_id: '0x5b8efff798038103d269b633813fc60c' }, parent_id: '1a2b3c4d', start_time: 1700000000000000001, end_time: 1700000000250000000, status_code: 'OK', attributes: {} },
    ] },
  };
  const [trace] = await readTraceFile(write('v2.json', JSON.stringify(doc)), 'mlflow');
  const t = trace!;
  assert.equal(t.info.experimentId, '3');
  assert.equal(t.info.mlflowTraceId, '5b8efff798038103d269b633813fc60c', 'the v2 request id is kept as MLflow wrote it');
  assert.deepEqual(t.info.assessments, [ASSESSMENT]);
  assert.equal(t.spans[0]!.spanId, '000000001a2b3c4d');
  assert.equal(t.spans[0]!.spanType, 'WORKFLOW', 'an MLflow type outside the eleven is kept');
  assert.equal(t.spans[1]!.parentId, '000000001a2b3c4d');
  assert.deepEqual(fromMlflowJson(parseJsonKeepingNanos(JSON.stringify(toMlflowJson(t)))), t);
});

test('two MLflow documents of the same trace are merged, not overwritten', async () => {
  const [whole] = await readTraceFile(write('v3b.json', JSON.stringify(toMlflowJson({
    info: { traceId: 'cd'.repeat(16), requestTime: 1, executionDurationMs: 1, state: 'OK', metadata: {}, tags: {} },
    spans: ['01', '02'].map((id) => ({ spanId: id.repeat(8), parentId: null, name: id, spanType: 'UNKNOWN', startTimeUnixNano: '1', endTimeUnixNano: '2', status: { code: 'OK' as const }, attributes: {}, events: [] })),
    artifacts: [],
  }))), 'auto');
  const [first, second] = whole!.spans.map((span) => JSON.stringify(toMlflowJson({ ...whole!, spans: [span] })));
  const traces = await readTraceFile(write('split.jsonl', `${first}\n${second}\n`), 'auto');
  assert.equal(traces.length, 1);
  assert.deepEqual(traces[0]!.spans.map((s) => s.name), ['01', '02']);
});
