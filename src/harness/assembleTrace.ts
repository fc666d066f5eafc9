/**
 * Every run's trace has the same shape: a root span for the agent process (prompt in,
 * stdout/stderr/exit code out) and, below it, whatever spans the agent reported itself.
 * So a trace exists even for an agent that reports nothing, and the tree always starts at
 * what the harness observed.
 */
import { randomBytes } from 'node:crypto';
import type { Artifact, Span, Trace } from '../core/trace/model';
import { msToNanos } from '../core/trace/model';
import type { ProcessTreeResult } from '../core/process/processTree';
import { WATCH_LIMIT, type OutsideWrite } from './workspaceWatch';

export interface AssembleInput {
  prompt: string;
  scenarioId: string;
  agentSpans: Span[];
  process?: ProcessTreeResult;
  error?: string;
  /** Workspace files written outside the sandbox while the agent ran: an attribute and an event of the root span. */
  outsideWrites?: OutsideWrite[];
  /** The workspace had more entries than the watch covers: say so beside the outside writes. */
  workspaceWatchTruncated?: boolean;
  artifacts: Artifact[];
  metadata: Record<string, string>;
  /** What the harness noticed about the run itself (swept processes, dropped spans), on the root span. */
  attributes?: Record<string, string | number | boolean>;
}

/** Outside writes listed in the trace (the count is always exact). */
const OUTSIDE_WRITES_KEPT = 200;

/** Characters of stdout/stderr kept in the root span (the full capped text is in the stream). */
const TRACE_OUTPUT_CHARS = 64 * 1024;

export function assembleRunTrace(input: AssembleInput): Trace {
  const startedAt = input.process?.startedAt ?? Date.now();
  const durationMs = input.process?.durationMs ?? 0;
  const rootId = randomBytes(8).toString('hex');
  const agentIds = new Set(input.agentSpans.map((s) => s.spanId));
  const agentSpans = input.agentSpans.map((span) =>
    span.parentId === null || !agentIds.has(span.parentId) ? { ...span, parentId: rootId } : span,
  );
  const stdout = input.process?.stdout ?? '';
  const stderr = input.process?.stderr ?? '';
  const agentRoots = agentSpans.filter((s) => s.parentId === rootId);
  const outsideWrites = input.outsideWrites ?? [];
  const finalOutput = agentRoots.find((s) => s.outputs !== undefined)?.outputs ?? stdout.trim();

  const root: Span = {
    spanId: rootId,
    parentId: null,
    name: `scenario ${input.scenarioId}`,
    spanType: 'AGENT',
    startTimeUnixNano: msToNanos(startedAt),
    endTimeUnixNano: msToNanos(startedAt + durationMs),
    status: input.error ? { code: 'ERROR', message: input.error } : { code: 'OK' },
    inputs: { prompt: input.prompt },
    outputs: {
      output: finalOutput,
      exit_code: input.process?.exitCode ?? null,
      ...(input.process?.signal ? { signal: input.process.signal } : {}),
      stdout: clip(stdout, input.process?.stdoutTruncatedBytes),
      stderr: clip(stderr, input.process?.stderrTruncatedBytes),
    },
    attributes: {
      'costar.span': 'agent_process',
      ...(input.workspaceWatchTruncated ? { 'costar.outside_writes.watched': `the first ${WATCH_LIMIT} entries of the workspace only` } : {}),
      ...input.attributes,
      ...(outsideWrites.length > 0 ? { 'costar.outside_writes': outsideWrites.slice(0, OUTSIDE_WRITES_KEPT), 'costar.outside_writes.count': outsideWrites.length } : {}),
    },
    events: [
      ...(outsideWrites.length > 0
        ? [{ name: 'costar.outside_writes', timeUnixNano: msToNanos(startedAt + durationMs), attributes: { count: outsideWrites.length, paths: outsideWrites.slice(0, OUTSIDE_WRITES_KEPT).map((w) => `${w.change} ${w.path}`).join('\n') } }]
        : []),
      ...(input.error ? [{ name: 'exception', timeUnixNano: msToNanos(startedAt + durationMs), attributes: { 'exception.message': input.error } }] : []),
    ],
  };

  return {
    info: {
      traceId: randomBytes(16).toString('hex'),
      requestTime: startedAt,
      executionDurationMs: durationMs,
      state: input.error ? 'ERROR' : 'OK',
      metadata: input.metadata,
      tags: {},
      requestPreview: input.prompt.slice(0, 1000),
      responsePreview: (typeof finalOutput === 'string' ? finalOutput : JSON.stringify(finalOutput)).slice(0, 1000),
    },
    spans: [root, ...agentSpans],
    artifacts: input.artifacts,
  };
}

function clip(text: string, droppedBytes = 0): string {
  const kept = text.length > TRACE_OUTPUT_CHARS ? text.slice(0, TRACE_OUTPUT_CHARS) : text;
  const dropped = droppedBytes + Buffer.byteLength(text.slice(kept.length));
  return dropped > 0 ? `${kept}\n[… ${dropped} more bytes not kept]` : kept;
}
