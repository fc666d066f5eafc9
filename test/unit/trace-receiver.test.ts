import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as path from 'node:path';
import { startOtlpReceiver, type OtlpReceiver } from '../../src/core/trace/receiver';
import type { Span } from '../../src/core/trace/model';

const AGENT = path.join(import.meta.dirname, '../fixtures/traces/otel-agent.mjs');
// The flood test measures retained memory after a full collection.
setFlagsFromString('--expose-gc');
const receivers: OtlpReceiver[] = [];
after(() => Promise.all(receivers.map((r) => r.close())));

async function receiver(maxBodyBytes?: number): Promise<{ r: OtlpReceiver; token: string }> {
  const token = randomBytes(16).toString('hex');
  const r = await startOtlpReceiver({ token, ...(maxBodyBytes ? { maxBodyBytes } : {}) });
  receivers.push(r);
  return { r, token };
}

/** Runs the instrumented agent with only the receiver's env (plus extras) and waits for it to exit. */
function runAgent(protocol: 'json' | 'protobuf' | 'grpc', env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AGENT, protocol], {
      cwd: path.join(import.meta.dirname, '../..'),
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

function byName(spans: Span[], name: string): Span {
  const span = spans.find((s) => s.name === name);
  assert.ok(span, `span ${name} not received; got ${spans.map((s) => s.name).join(', ')}`);
  return span;
}

function assertAgentTrace(r: OtlpReceiver): void {
  const traces = r.spans();
  assert.equal(traces.length, 1, 'one trace');
  const { traceId, spans } = traces[0]!;
  assert.match(traceId, /^[0-9a-f]{32}$/);
  assert.equal(spans.length, 5);

  const root = byName(spans, 'agent');
  assert.equal(root.parentId, null);
  assert.equal(root.spanType, 'AGENT');
  assert.equal(root.inputs, 'Clean data/sales.csv');
  assert.deepEqual(root.outputs, { done: true }, 'output.value with a JSON mime type is parsed');
  for (const s of spans.filter((s) => s !== root)) assert.equal(s.parentId, root.spanId, `${s.name} is a child of the root`);

  const chat = byName(spans, 'chat gpt-test');
  assert.equal(chat.spanType, 'CHAT_MODEL');
  assert.deepEqual(chat.tokens, { input: 120, output: 30, total: 150 });
  assert.deepEqual(chat.inputs, [{ role: 'user', content: 'hi' }]);
  assert.deepEqual(chat.outputs, [{ role: 'assistant', content: 'hello' }]);
  assert.equal(chat.attributes['gen_ai.request.model'], 'gpt-test', 'source attributes are kept');

  const tool = byName(spans, 'execute_tool read_file');
  assert.equal(tool.spanType, 'TOOL');
  assert.equal(tool.toolName, 'read_file');
  assert.deepEqual(tool.inputs, { path: 'data/sales.csv' });
  assert.deepEqual(tool.attributes.tags, ['io', 'csv'], 'array attributes arrive as arrays');

  const oi = byName(spans, 'oi llm');
  assert.equal(oi.spanType, 'LLM');
  assert.deepEqual(oi.tokens, { input: 7, output: 3, total: 10 });
  assert.deepEqual(oi.inputs, [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'why?' }]);

  const check = byName(spans, 'run_check');
  assert.equal(check.toolName, 'run_check');
  assert.deepEqual(check.status, { code: 'ERROR', message: 'lint failed' });
  assert.equal(check.events[0]?.name, 'exception');
  assert.equal(check.events[0]?.attributes['exception.message'], 'lint failed');
  assert.ok(BigInt(check.endTimeUnixNano) >= BigInt(check.startTimeUnixNano));
}

test('the real OTLP/HTTP JSON exporter, configured only by receiver.env(), delivers the span tree with GenAI and OpenInference mapped', async () => {
  const { r } = await receiver();
  const result = await runAgent('json', r.env());
  assert.equal(result.code, 0, result.stderr);
  assertAgentTrace(r);
});

test('the real OTLP/HTTP protobuf exporter delivers the same tree, also gzip-compressed', async () => {
  const plain = await receiver();
  assert.equal((await runAgent('protobuf', plain.r.env())).code, 0);
  assertAgentTrace(plain.r);

  const gz = await receiver();
  const result = await runAgent('protobuf', { ...gz.r.env(), OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' });
  assert.equal(result.code, 0, result.stderr);
  assertAgentTrace(gz.r);
});

test('the real OTLP/gRPC exporter reaches the same port with the same variables, the token in its metadata', async () => {
  const { r } = await receiver();
  const result = await runAgent('grpc', r.env());
  assert.equal(result.code, 0, result.stderr);
  assertAgentTrace(r);

  const wrong = await receiver();
  const refused = await runAgent('grpc', { ...wrong.r.env(), OTEL_EXPORTER_OTLP_HEADERS: 'x-costar-token=nope', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-costar-token=nope' });
  assert.match(refused.stderr, /UNAUTHENTICATED|token/);
  assert.deepEqual(wrong.r.spans(), []);
});

test('env(): endpoints, a token header that needs no encoding, http/protobuf, and the Traceloop variables', async () => {
  const { r, token } = await receiver();
  const env = r.env();
  assert.match(env.COSTAR_OTLP_ENDPOINT!, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, `${env.COSTAR_OTLP_ENDPOINT}/v1/traces`);
  assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, undefined, 'no base endpoint: metrics and logs are not received here');
  assert.equal(env.OTEL_EXPORTER_OTLP_HEADERS, `x-costar-token=${token}`);
  assert.equal(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, `x-costar-token=${token}`);
  assert.equal(env.OTEL_EXPORTER_OTLP_PROTOCOL, 'http/protobuf');
  assert.equal(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, 'http/protobuf');
  assert.equal(env.TRACELOOP_BASE_URL, env.COSTAR_OTLP_ENDPOINT);
  assert.equal(env.TRACELOOP_HEADERS, `x-costar-token=${token}`);
});

test('Authorization: Bearer is accepted plain and percent-encoded (exporters that do not decode the header list)', async () => {
  const { r, token } = await receiver();
  const endpoint = r.env().OTEL_EXPORTER_OTLP_TRACES_ENDPOINT!;
  for (const [authorization, status] of [[`Bearer ${token}`, 200], [`Bearer%20${token}`, 200], [`bearer%20${token}`, 200], ['Bearer%20nope', 401], [`Bearer ${token}x`, 401]] as const) {
    const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: '{"resourceSpans":[]}' });
    assert.equal(res.status, status, authorization);
  }
  const viaEnv = await runAgent('json', { ...r.env(), OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${token}`, OTEL_EXPORTER_OTLP_TRACES_HEADERS: '' });
  assert.equal(viaEnv.code, 0, viaEnv.stderr);
  assertAgentTrace(r);
});

test('OTLP span kind, resource and scope are kept', async () => {
  const { r } = await receiver();
  assert.equal((await runAgent('protobuf', r.env())).code, 0);
  const chat = byName(r.spans()[0]!.spans, 'chat gpt-test');
  assert.equal(chat.kind, 'CLIENT');
  assert.match(String(chat.resource?.['service.name']), /^unknown_service:/, 'the SDK\'s default service name, as sent');
  assert.equal(chat.resource?.['telemetry.sdk.language'], 'nodejs');
  assert.deepEqual(chat.scope, { name: 'costar-test-agent' });
});

test('an exporter with a wrong or missing token gets 401 and nothing is stored', async () => {
  const { r } = await receiver();
  const wrong = await runAgent('json', { ...r.env(), OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20nope', OTEL_EXPORTER_OTLP_TRACES_HEADERS: '' });
  assert.equal(wrong.code, 0, wrong.stderr);
  assert.match(wrong.stderr, /export failed: 401/);
  const missing = await runAgent('protobuf', { ...r.env(), OTEL_EXPORTER_OTLP_HEADERS: '', OTEL_EXPORTER_OTLP_TRACES_HEADERS: '' });
  assert.match(missing.stderr, /export failed: 401/);
  assert.deepEqual(r.spans(), []);

  const res = await fetch(r.env().OTEL_EXPORTER_OTLP_TRACES_ENDPOINT!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans":[]}' });
  assert.equal(res.status, 401);
  assert.match((await res.json()).message, /token/);
});

const oneSpan = (spanId: string) => ({
  resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'AB'.repeat(16), spanId, name: 'manual', startTimeUnixNano: 1, endTimeUnixNano: 2 }] }] }],
});

test('hand-made requests: x-costar-token works, JSON success returns {}, gzip JSON is accepted', async () => {
  const { r, token } = await receiver();
  const endpoint = r.env().OTEL_EXPORTER_OTLP_TRACES_ENDPOINT!;
  const ok = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', 'x-costar-token': token }, body: JSON.stringify(oneSpan('CD'.repeat(8))) });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), {});

  const zipped = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${token}` },
    body: gzipSync(JSON.stringify(oneSpan('EF'.repeat(8)))),
  });
  assert.equal(zipped.status, 200);
  assert.deepEqual(r.spans().map((t) => t.spans.map((s) => s.spanId)), [['cd'.repeat(8), 'ef'.repeat(8)]]);
});

test('bodies over the cap get 413, undecodable bodies 400 with a reason, other types 415', async () => {
  const { r, token } = await receiver(1024);
  const endpoint = r.env().OTEL_EXPORTER_OTLP_TRACES_ENDPOINT!;
  const auth = { authorization: `Bearer ${token}` };

  const big = await fetch(endpoint, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(5000) }) });
  assert.equal(big.status, 413);
  // A small gzip body that inflates past the cap is caught while decompressing.
  const bomb = await fetch(endpoint, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(' '.repeat(100_000)) });
  assert.equal(bomb.status, 413);

  const badJson = await fetch(endpoint, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "xyz"}]}]}]}' });
  assert.equal(badJson.status, 400);
  assert.match((await badJson.json()).message, /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId/);

  const badProto = await fetch(endpoint, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-protobuf' }, body: new Uint8Array([0x0a, 0xff, 0xff, 0xff]) });
  assert.equal(badProto.status, 400);
  assert.equal(badProto.headers.get('content-type'), 'application/x-protobuf');

  const text = await fetch(endpoint, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'hi' });
  assert.equal(text.status, 415);
  assert.deepEqual(r.spans(), []);
});

test('a flood past the per-attempt cap is dropped whole-batch and counted; retained memory stays flat', async () => {
  const token = randomBytes(16).toString('hex');
  const r = await startOtlpReceiver({ token, maxTotalBytes: 1024 * 1024 });
  receivers.push(r);
  const endpoint = r.env().OTEL_EXPORTER_OTLP_TRACES_ENDPOINT!;
  const batch = (offset: number) =>
    JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: Array.from({ length: 500 }, (_, i) => ({
        traceId: 'AB'.repeat(16), spanId: (offset + i + 1).toString(16).padStart(16, '0'), name: 'flood', startTimeUnixNano: 1, endTimeUnixNano: 2,
        attributes: [{ key: 'pad', value: { stringValue: 'x'.repeat(1800) } }],
      })) }] }],
    });
  const send = (body: string) => fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', 'x-costar-token': token }, body });
  const gc = runInNewContext('gc') as () => void;
  const retained = () => {
    gc();
    return process.memoryUsage().heapUsed;
  };

  // ~1 MiB per request: the first fits, everything after is over the cap.
  const first = await send(batch(0));
  assert.deepEqual(await first.json(), {});
  const baseline = retained();
  const requests = 60;
  for (let i = 1; i <= requests; i++) {
    const res = await send(batch(i * 500));
    assert.equal(res.status, 200, 'a dropped batch is not an error the exporter should retry');
    assert.deepEqual(await res.json(), { partialSuccess: { rejectedSpans: '500', errorMessage: 'the per-attempt span cap of this coSTAR run was reached; spans dropped' } });
  }
  const grown = retained() - baseline;
  assert.ok(grown < 16 * 1024 * 1024, `heap grew by ${(grown / 1024 / 1024).toFixed(1)} MiB after ${requests} MiB of dropped spans`);
  assert.equal(r.spans()[0]!.spans.length, 500, 'only the batch that fit is kept');
  const dropped = r.dropped()!;
  assert.equal(dropped.spans, requests * 500);
  assert.equal(dropped.requests, requests);
  assert.ok(dropped.bytes > requests * 900_000);
});
