/**
 * Builds traces for tests and benches without hand-writing ids and nanosecond strings.
 *
 *   const b = new TraceBuilder();
 *   const root = b.span({ name: 'agent', spanType: 'AGENT', inputs: 'hi', outputs: 'done' });
 *   b.span({ parent: root, name: 'read_file', toolName: 'read_file', startMs: 10, durationMs: 5 });
 *   const trace = b.build({ artifacts: [artifact('out.json', '{"a":1}')] });
 *
 * Times are milliseconds from the trace start; ids are sequential hex so tests can predict them.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';
import { toMlflowJson } from '../../src/core/trace/mlflow';
import type { Artifact, Span, SpanEvent, SpanType, Trace, TraceInfo } from '../../src/core/trace/model';

const T0_MS = 1_700_000_000_000;

export interface SpanSpec {
  parent?: Span;
  name: string;
  spanType?: SpanType;
  startMs?: number;
  durationMs?: number;
  error?: string;
  inputs?: unknown;
  outputs?: unknown;
  attributes?: Record<string, unknown>;
  tokens?: { input: number; output: number };
  toolName?: string;
  model?: string;
  events?: SpanEvent[];
}

export interface BuildOptions {
  artifacts?: Artifact[];
  durationMs?: number;
  metadata?: Record<string, string>;
}

export function nanos(msFromStart: number): string {
  return (BigInt(T0_MS) * 1_000_000n + BigInt(Math.round(msFromStart * 1000)) * 1000n).toString();
}

export class TraceBuilder {
  readonly spans: Span[] = [];
  private next = 1;

  /** Adds a span to the trace and returns it (to be the parent of later spans). */
  span(spec: SpanSpec): Span {
    const span = this.make(spec);
    this.spans.push(span);
    return span;
  }

  /**
   * A span with the next id that is not kept: for traces streamed to disk with writeTraceFile,
   * which would not fit in memory (or in one string) as a whole.
   */
  make(spec: SpanSpec): Span {
    const startMs = spec.startMs ?? 0;
    const span: Span = {
      spanId: (this.next++).toString(16).padStart(16, '0'),
      parentId: spec.parent?.spanId ?? null,
      name: spec.name,
      spanType: spec.spanType ?? (spec.toolName ? 'TOOL' : 'UNKNOWN'),
      startTimeUnixNano: nanos(startMs),
      endTimeUnixNano: nanos(startMs + (spec.durationMs ?? 1)),
      status: spec.error ? { code: 'ERROR', message: spec.error } : { code: 'OK' },
      attributes: spec.attributes ?? {},
      events: spec.events ?? [],
    };
    if (spec.inputs !== undefined) span.inputs = spec.inputs;
    if (spec.outputs !== undefined) span.outputs = spec.outputs;
    if (spec.tokens) span.tokens = { ...spec.tokens, total: spec.tokens.input + spec.tokens.output };
    if (spec.toolName) span.toolName = spec.toolName;
    if (spec.model) span.model = spec.model;
    return span;
  }

  build(options: BuildOptions = {}): Trace {
    // A loop, not Math.max(...spans): spreading 250,000 arguments overflows the stack.
    let endNanos = BigInt(nanos(0));
    let rootError = false;
    for (const s of this.spans) {
      const end = BigInt(s.endTimeUnixNano);
      if (end > endNanos) endNanos = end;
      if (s.status.code === 'ERROR' && s.parentId === null) rootError = true;
    }
    const endMs = Number((endNanos - BigInt(nanos(0))) / 1_000_000n);
    return { info: traceInfo(options, endMs, rootError), spans: this.spans, artifacts: options.artifacts ?? [] };
  }
}

function traceInfo(options: BuildOptions, endMs: number, rootError: boolean): TraceInfo {
  return {
    traceId: 'a'.repeat(32),
    requestTime: T0_MS,
    executionDurationMs: options.durationMs ?? endMs,
    state: rootError ? 'ERROR' : 'OK',
    metadata: options.metadata ?? {},
    tags: {},
  };
}

/** Spans serialized per write: big enough to keep writes efficient, small enough to stay cheap in memory. */
const SPANS_PER_CHUNK = 500;

/**
 * Writes a trace to `file` exactly as the trace store does (toMlflowJson, `info` first), but span
 * by span from `spans`, so a 250,000-span trace of ~450 MB is never one object graph or one
 * string (V8 strings stop at ~512 MB). Returns the bytes and spans written.
 */
export async function writeTraceFile(file: string, info: TraceInfo, spans: Iterable<Span>, artifacts: Artifact[] = []): Promise<{ bytes: number; spans: number }> {
  const skeleton = JSON.stringify(toMlflowJson({ info, spans: [], artifacts }));
  const marker = '"data":{"spans":[]';
  const at = skeleton.indexOf(marker);
  if (at < 0) throw new Error('toMlflowJson no longer writes data.spans as expected: update writeTraceFile');
  const head = skeleton.slice(0, at + marker.length - 1);
  const tail = skeleton.slice(at + marker.length - 1);
  mkdirSync(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  let bytes = 0;
  let count = 0;
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  };
  try {
    await write(head);
    let chunk: Span[] = [];
    const flush = async () => {
      if (chunk.length === 0) return;
      const json = JSON.stringify((toMlflowJson({ info, spans: chunk, artifacts: [] }) as { data: { spans: unknown[] } }).data.spans);
      await write(`${count > chunk.length ? ',' : ''}${json.slice(1, -1)}`);
      chunk = [];
    };
    for (const span of spans) {
      chunk.push(span);
      count++;
      if (chunk.length === SPANS_PER_CHUNK) await flush();
    }
    await flush();
    await write(tail);
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
  } finally {
    out.destroy();
  }
  return { bytes, spans: count };
}

export function artifact(path: string, text: string, change: Artifact['change'] = 'created'): Artifact {
  return { path, size: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex'), change, text };
}

/**
 * A large, realistic agent trace: one AGENT root, then `n - 1` spans cycling through model
 * calls, tool calls (every 97th tool call fails) and retriever spans, nested in steps of 10.
 * Deterministic: the same n always gives the same trace.
 */
export function generateLargeTrace(n: number): Trace {
  const b = new TraceBuilder();
  const root = b.span({ name: 'agent', spanType: 'AGENT', durationMs: n * 2 + 10, inputs: { prompt: 'Fix the failing build' }, outputs: 'Build fixed' });
  let step: Span = root;
  const tools = ['read_file', 'list_dir', 'run_tests', 'write_file', 'search_code'];
  let toolCount = 0;
  for (let i = 1; i < n; i++) {
    const startMs = i * 2;
    if (i % 10 === 1) {
      step = b.span({ parent: root, name: `step_${Math.floor(i / 10)}`, spanType: 'CHAIN', startMs, durationMs: 20 });
      continue;
    }
    const kind = i % 3;
    if (kind === 0) {
      b.span({
        parent: step,
        name: 'chat gpt-4o',
        spanType: 'CHAT_MODEL',
        startMs,
        durationMs: 1.5,
        inputs: { messages: [{ role: 'user', content: `step ${i}: what next?` }] },
        outputs: { content: `Thinking about step ${i}; consider file src/mod_${i % 50}.ts` },
        tokens: { input: 100 + (i % 7), output: 20 + (i % 5) },
        attributes: { 'gen_ai.request.model': 'gpt-4o' },
      });
    } else if (kind === 1) {
      toolCount++;
      const tool = tools[toolCount % tools.length]!;
      b.span({
        parent: step,
        name: tool,
        toolName: tool,
        startMs,
        durationMs: tool === 'run_tests' ? 1.9 : 0.5,
        inputs: { path: `src/mod_${i % 50}.ts` },
        outputs: toolCount % 97 === 0 ? undefined : `contents of src/mod_${i % 50}.ts line ${i}`,
        error: toolCount % 97 === 0 ? `ENOENT: no such file src/mod_${i % 50}.ts` : undefined,
      });
    } else {
      b.span({ parent: step, name: 'retrieve', spanType: 'RETRIEVER', startMs, durationMs: 0.8, inputs: { query: `q${i}` }, outputs: [{ doc: `doc ${i}` }] });
    }
  }
  return b.build();
}
