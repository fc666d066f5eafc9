/**
 * Traces the size and shape of real agent runs, for the benchmarks and the tests of big traces:
 * ~1.8 KB per span (model calls with messages, tool calls with file contents, retrievals with
 * documents; gen_ai attributes; events), one tool output of 1 MB, about 1 % erroring spans
 * (with an `exception` event carrying a stack trace), nested AGENT → step → calls, with a
 * sub-agent every 25 steps. Deterministic: the same n always gives the same bytes.
 *
 *   const summary = await writeRealisticTrace('/tmp/x.trace.json', 250_000);
 *
 * Spans are generated and written one chunk at a time (TraceBuilder.make + writeTraceFile), so
 * memory stays flat whatever n is.
 */
import type { Span, SpanEvent } from '../../src/core/trace/model';
import { nanos, TraceBuilder, writeTraceFile } from './traceBuilder';

/** Spans between two erroring ones (≈ 1 %). */
export const ERROR_EVERY = 100;
/** The word only erroring spans contain: what the benchmarks search for. */
export const ERROR_WORD = 'ECONNRESET';
/** The size of the one big tool output. */
export const BIG_OUTPUT_BYTES = 1024 * 1024;

const STEP_MS = 2;
const WORDS = [
  'agent', 'build', 'test', 'config', 'module', 'cache', 'request', 'response', 'parser', 'token', 'schema', 'retry',
  'timeout', 'queue', 'worker', 'index', 'render', 'router', 'session', 'invoice', 'customer', 'ledger', 'report', 'summary',
  'deploy', 'review', 'branch', 'commit', 'migration', 'payload', 'header', 'handler', 'metric', 'latency', 'budget', 'policy',
];
const TOOLS = ['read_file', 'list_dir', 'run_tests', 'write_file', 'search_code', 'http_get'];
const SYSTEM_PROMPT = 'You are a careful software agent. Work step by step: read the relevant files, run the tests, change as little as possible, and explain each change. Never invent file contents; use the tools to look.';

/** Deterministic filler text of about `chars` characters, different for each seed. */
function text(seed: number, chars: number): string {
  let x = (seed * 2654435761) >>> 0 || 1;
  const words: string[] = [];
  let length = 0;
  while (length < chars) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const word = WORDS[x % WORDS.length]!;
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ');
}

export interface RealisticTraceSummary {
  spans: number;
  erroring: number;
  bytes: number;
  /** The span whose output is BIG_OUTPUT_BYTES long. */
  bigOutputSpanId: string;
}

/** The spans of a realistic n-span trace, generated lazily; `summary` is filled as they are. */
export function* realisticSpans(n: number, summary: Omit<RealisticTraceSummary, 'bytes'> = { spans: 0, erroring: 0, bigOutputSpanId: '' }): Generator<Span> {
  const b = new TraceBuilder();
  const emit = (span: Span) => {
    summary.spans++;
    if (span.status.code === 'ERROR') summary.erroring++;
    return span;
  };
  const root = b.make({
    name: 'agent', spanType: 'AGENT', durationMs: n * STEP_MS + 10,
    inputs: { prompt: `Fix the failing build: ${text(0, 200)}` }, outputs: { answer: `Build fixed. ${text(1, 300)}` },
    attributes: { 'service.name': 'coding-agent', 'agent.version': '2.4.1' },
  });
  yield emit(root);
  const bigAt = Math.floor(n / 2);
  let step = root;
  let parent = root;
  for (let i = 1; i < n; i++) {
    const startMs = i * STEP_MS;
    if (i % 10 === 1) {
      const stepNo = Math.floor(i / 10);
      // Every 25th step runs a sub-agent: its calls nest one level deeper.
      step = b.make({ parent: root, name: `step_${stepNo}`, spanType: 'CHAIN', startMs, durationMs: 20, inputs: { goal: text(i, 120) }, attributes: { 'step.index': stepNo } });
      yield emit(step);
      parent = step;
      if (stepNo % 25 === 0 && i + 1 < n) {
        i++;
        parent = b.make({ parent: step, name: 'sub_agent', spanType: 'AGENT', startMs: startMs + 1, durationMs: 18, inputs: { task: text(i, 200) }, outputs: text(i + 1, 200) });
        yield emit(parent);
      }
      continue;
    }
    const failing = i % ERROR_EVERY === 37;
    const error = failing ? `${ERROR_WORD}: connection reset by peer while calling the tool (attempt ${1 + (i % 3)})` : undefined;
    const events: SpanEvent[] = [{ name: 'log', timeUnixNano: nanos(startMs + 0.1), attributes: { message: text(i + 7, 160), level: 'info' } }];
    if (failing) {
      events.push({
        name: 'exception', timeUnixNano: nanos(startMs + 0.4),
        attributes: { 'exception.type': 'Error', 'exception.message': error!, 'exception.stacktrace': `Error: ${error}\n    at Socket.onEnd (node:net:${i % 900})\n    at ${text(i + 3, 300)}` },
      });
    }
    const kind = i % 3;
    if (kind === 0) {
      yield emit(b.make({
        parent, name: 'chat gpt-4o', spanType: 'CHAT_MODEL', model: 'gpt-4o', startMs, durationMs: 1.5, error, events,
        inputs: { messages: [{ role: 'system', content: SYSTEM_PROMPT }, { role: 'user', content: `step ${i}: ${text(i, 380)}` }] },
        outputs: { role: 'assistant', content: `Step ${i}: ${text(i + 1, 420)}` },
        tokens: { input: 400 + (i % 97), output: 100 + (i % 31) },
        attributes: { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.request.temperature': 0.2, 'gen_ai.response.finish_reasons': ['stop'], 'gen_ai.response.id': `chatcmpl-${i.toString(36)}` },
      }));
    } else if (kind === 1) {
      const tool = TOOLS[i % TOOLS.length]!;
      const big = i >= bigAt && summary.bigOutputSpanId === '';
      const span = b.make({
        parent, name: tool, toolName: tool, startMs, durationMs: tool === 'run_tests' ? 1.9 : 0.5, error, events,
        inputs: { path: `src/${WORDS[i % WORDS.length]}/mod_${i % 500}.ts`, args: { recursive: i % 2 === 0, limit: 200 } },
        outputs: failing ? undefined : big ? text(i, BIG_OUTPUT_BYTES + 1).slice(0, BIG_OUTPUT_BYTES) : `// src/mod_${i % 500}.ts line ${i}\n${text(i + 2, 700)}`,
        attributes: { 'tool.name': tool, 'tool.call_id': `call_${i.toString(36)}`, 'code.workspace': '/home/dev/project' },
      });
      if (big) summary.bigOutputSpanId = span.spanId;
      yield emit(span);
    } else {
      yield emit(b.make({
        parent, name: 'retrieve', spanType: 'RETRIEVER', startMs, durationMs: 0.8, error, events,
        inputs: { query: text(i, 80) },
        outputs: [0, 1, 2].map((d) => ({ id: `doc-${(i * 3 + d) % 10_000}`, score: 0.9 - d * 0.1, content: text(i * 3 + d, 220) })),
        attributes: { 'retrieval.index': 'code-embeddings', 'retrieval.top_k': 3 },
      }));
    }
  }
}

/** Writes a realistic n-span trace (trace id `traceId`) to `file`, streamed. */
export async function writeRealisticTrace(file: string, n: number, traceId = 'b'.repeat(32)): Promise<RealisticTraceSummary> {
  const summary = { spans: 0, erroring: 0, bigOutputSpanId: '' };
  const info = {
    traceId, requestTime: 1_700_000_000_000, executionDurationMs: n * STEP_MS + 10, state: 'OK' as const,
    metadata: { 'costar.scenario_id': `realistic-${n}` }, tags: {},
  };
  const { bytes } = await writeTraceFile(file, info, realisticSpans(n, summary));
  return { ...summary, bytes };
}
