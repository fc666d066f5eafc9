/**
 * A generated month of production traces for the monitoring tests and benchmark: 30 days of
 * a chat agent whose answers are right ("OK: …") with probability 0.9, until day 20 where a
 * regression drops it to 0.65; from day 25 its token usage jumps ×2.5. Seeded, so every run
 * generates the same traces.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ExportTraceServiceRequest } from '../../src/core/trace/otlpProto';

export const MONTH_START = Date.UTC(2024, 2, 1);
export const DAY = 86_400_000;
/** 0-based day index of "day 20". */
export const REGRESSION_DAY = 19;
/** 0-based day index of "day 25". */
export const TOKEN_JUMP_DAY = 24;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (random: () => number, bytes: number) =>
  Array.from({ length: bytes }, () => Math.floor(random() * 256).toString(16).padStart(2, '0')).join('');

interface GenSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  start: bigint;
  end: bigint;
  attributes: Record<string, string | number>;
}

function traceSpans(random: () => number, day: number): GenSpan[] {
  const traceId = hex(random, 16);
  const start = BigInt(MONTH_START + day * DAY + Math.floor(random() * (DAY - 60_000))) * 1_000_000n;
  const ms = 800 + Math.floor(random() * 400);
  const end = start + BigInt(ms) * 1_000_000n;
  const right = random() < (day >= REGRESSION_DAY ? 0.65 : 0.9);
  const tokens = Math.round((900 + random() * 200) * (day >= TOKEN_JUMP_DAY ? 2.5 : 1));
  const rootId = hex(random, 8);
  const spans: GenSpan[] = [
    {
      traceId, spanId: rootId, name: 'chat', start, end,
      attributes: { 'openinference.span.kind': 'AGENT', 'input.value': `question ${traceId.slice(0, 6)}`, 'output.value': right ? 'OK: the answer' : 'WRONG answer' },
    },
    {
      traceId, spanId: hex(random, 8), parentSpanId: rootId, name: 'llm', start, end: start + 500_000_000n,
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': Math.round(tokens * 0.8), 'gen_ai.usage.output_tokens': tokens - Math.round(tokens * 0.8) },
    },
  ];
  for (let t = 0; t < 2; t++) {
    spans.push({ traceId, spanId: hex(random, 8), parentSpanId: rootId, name: 'search', start: start + 500_000_000n, end: start + 600_000_000n, attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': 'search' } });
  }
  return spans;
}

function otlpJson(spans: GenSpan[]): object {
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'chat-agent' } }] },
      scopeSpans: [{
        scope: { name: 'generator' },
        spans: spans.map((s) => ({
          traceId: s.traceId, spanId: s.spanId, ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}), name: s.name, kind: 1,
          startTimeUnixNano: String(s.start), endTimeUnixNano: String(s.end), status: { code: 1 },
          attributes: Object.entries(s.attributes).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } })),
        })),
      }],
    }],
  };
}

function otlpProtobuf(spans: GenSpan[]): Uint8Array {
  const message = ExportTraceServiceRequest.fromObject({
    resource_spans: [{
      scope_spans: [{
        spans: spans.map((s) => ({
          trace_id: Buffer.from(s.traceId, 'hex'), span_id: Buffer.from(s.spanId, 'hex'),
          ...(s.parentSpanId ? { parent_span_id: Buffer.from(s.parentSpanId, 'hex') } : {}),
          name: s.name, start_time_unix_nano: String(s.start), end_time_unix_nano: String(s.end), status: { code: 1 },
          attributes: Object.entries(s.attributes).map(([key, v]) => ({ key, value: typeof v === 'number' ? { int_value: v } : { string_value: v } })),
        })),
      }],
    }],
  });
  return ExportTraceServiceRequest.encode(message).finish();
}

/**
 * Writes the month under `dir`: day 1 as one OTLP protobuf file, the other days as OTLP JSON
 * Lines (one trace per line). Returns the number of traces.
 */
export async function writeMonth(dir: string, tracesPerDay: number, seed = 20240301): Promise<number> {
  await mkdir(dir, { recursive: true });
  const random = rng(seed);
  for (let day = 0; day < 30; day++) {
    const traces = Array.from({ length: tracesPerDay }, () => traceSpans(random, day));
    if (day === 0) await writeFile(path.join(dir, 'day-01.pb'), otlpProtobuf(traces.flat()));
    else await writeFile(path.join(dir, `day-${String(day + 1).padStart(2, '0')}.jsonl`), traces.map((t) => JSON.stringify(otlpJson(t))).join('\n') + '\n');
  }
  return tracesPerDay * 30;
}
