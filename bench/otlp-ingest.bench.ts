/**
 * OTLP ingest throughput of the receiver: spans/s accepted over loopback (HTTP + decode +
 * semantic-convention mapping), for JSON and protobuf bodies. Goal: ≥ 20,000 spans/s.
 *
 *   node --import tsx bench/otlp-ingest.bench.ts [spansPerRequest=1000] [requests=30]
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as http from 'node:http';
import { startOtlpReceiver } from '../src/core/trace/receiver';
import { toOtlpJson } from '../src/core/trace/otlp';
import { ExportTraceServiceRequest } from '../src/core/trace/otlpProto';
import type { Span, Trace } from '../src/core/trace/model';

const SPANS_PER_REQUEST = Number(process.argv[2] ?? 1000);
const REQUESTS = Number(process.argv[3] ?? 30);
const GOAL = 20_000;

/** A request's worth of spans shaped like a real agent's: a root, model calls with GenAI attributes, tool calls. */
function agentTrace(): Trace {
  const traceId = randomBytes(16).toString('hex');
  const rootId = randomBytes(8).toString('hex');
  const t0 = 1741083630000000000n;
  const spans: Span[] = Array.from({ length: SPANS_PER_REQUEST }, (_, n) => {
    const isRoot = n === 0;
    const isModel = n % 3 === 1;
    const attributes: Record<string, unknown> = isRoot
      ? { 'openinference.span.kind': 'AGENT', 'input.value': 'Clean data/sales.csv and write features.py' }
      : isModel
        ? { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-test', 'gen_ai.usage.input_tokens': 812, 'gen_ai.usage.output_tokens': 96, 'gen_ai.input.messages': JSON.stringify([{ role: 'user', content: 'x'.repeat(300) }]) }
        : { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read_file', 'gen_ai.tool.call.arguments': '{"path":"data/sales.csv"}', 'file.lines': 120 };
    return {
      spanId: isRoot ? rootId : randomBytes(8).toString('hex'),
      parentId: isRoot ? null : rootId,
      name: isRoot ? 'agent' : isModel ? 'chat gpt-test' : 'execute_tool read_file',
      spanType: 'UNKNOWN',
      startTimeUnixNano: String(t0 + BigInt(n) * 1000n),
      endTimeUnixNano: String(t0 + BigInt(n) * 1000n + 900n),
      status: { code: 'OK' },
      attributes,
      events: [],
    };
  });
  return { info: { traceId, requestTime: 0, executionDurationMs: 0, state: 'OK', metadata: {}, tags: {} }, spans, artifacts: [] };
}

/** The same request in protobuf: ids as bytes, nanos as 64-bit integers. */
function toProtobuf(json: any): Uint8Array {
  const hexBytes = (hex: string | undefined) => (hex ? Buffer.from(hex, 'hex') : Buffer.alloc(0));
  const anyValue = (v: any): any => (v.arrayValue ? { array_value: { values: v.arrayValue.values.map(anyValue) } } : v.stringValue !== undefined ? { string_value: v.stringValue } : v.intValue !== undefined ? { int_value: Number(v.intValue) } : v.doubleValue !== undefined ? { double_value: v.doubleValue } : { bool_value: v.boolValue });
  const request = {
    resource_spans: json.resourceSpans.map((rs: any) => ({
      scope_spans: rs.scopeSpans.map((ss: any) => ({
        spans: ss.spans.map((s: any) => ({
          trace_id: hexBytes(s.traceId), span_id: hexBytes(s.spanId), parent_span_id: hexBytes(s.parentSpanId), name: s.name, kind: 1,
          start_time_unix_nano: s.startTimeUnixNano, end_time_unix_nano: s.endTimeUnixNano,
          attributes: s.attributes.map((kv: any) => ({ key: kv.key, value: anyValue(kv.value) })),
          status: { code: s.status.code },
        })),
      })),
    })),
  };
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish();
}

/** node:http rather than fetch: the sender shares this process with the receiver and should cost little. */
function post(url: string, headers: Record<string, string>, body: Uint8Array, agent: http.Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`receiver answered ${res.statusCode}: ${Buffer.concat(chunks)}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function measure(encoding: 'json' | 'protobuf', concurrency: number): Promise<{ spansPerSec: number; msPerRequest: number; bodyKiB: number }> {
  const token = randomBytes(16).toString('hex');
  const receiver = await startOtlpReceiver({ token, maxBodyBytes: 256 * 1024 * 1024 });
  const endpoint = receiver.env().OTEL_EXPORTER_OTLP_TRACES_ENDPOINT!;
  const bodies = Array.from({ length: REQUESTS }, () => {
    const json = toOtlpJson([agentTrace()]);
    return encoding === 'json' ? Buffer.from(JSON.stringify(json)) : toProtobuf(json);
  });
  const headers = { authorization: `Bearer ${token}`, 'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf' };
  const agent = new http.Agent({ keepAlive: true });
  await post(endpoint, headers, bodies[0]!, agent); // warm-up (JIT, connection)

  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < bodies.length) {
      await post(endpoint, headers, bodies[next++]!, agent);
    }
  }));
  const elapsed = performance.now() - start;
  const received = receiver.spans().reduce((n, t) => n + t.spans.length, 0);
  agent.destroy();
  await receiver.close();
  // The warm-up re-sends bodies[0]; re-sent spans replace their first copy, so each counts once.
  if (received !== REQUESTS * SPANS_PER_REQUEST) throw new Error(`expected ${REQUESTS * SPANS_PER_REQUEST} spans, received ${received}`);
  const bodyKiB = bodies.reduce((n, b) => n + b.length, 0) / bodies.length / 1024;
  return { spansPerSec: (REQUESTS * SPANS_PER_REQUEST) / (elapsed / 1000), msPerRequest: elapsed / REQUESTS, bodyKiB };
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  for (const encoding of ['json', 'protobuf'] as const) {
    for (const concurrency of [1, 4]) {
      const r = await measure(encoding, concurrency);
      rows.push([encoding, String(concurrency), r.bodyKiB.toFixed(0), r.msPerRequest.toFixed(1), Math.round(r.spansPerSec).toLocaleString('en-US'), r.spansPerSec >= GOAL ? 'yes' : 'NO']);
    }
  }
  const header = ['encoding', 'concurrency', 'body KiB', 'ms/request', 'spans/s', `≥ ${GOAL.toLocaleString('en-US')}`];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  console.log(`OTLP ingest, ${REQUESTS} requests × ${SPANS_PER_REQUEST} spans over loopback`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
