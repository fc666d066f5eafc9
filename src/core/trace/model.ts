/**
 * The trace model every part of coSTAR shares.
 *
 * It mirrors MLflow's trace JSON (`info` + `data.spans`) closely enough that conversion is
 * lossless, but uses plain, typed fields inside the engine: hex ids (OpenTelemetry's own
 * text form), nanosecond times as decimal strings (they exceed 2^53), and inputs/outputs as
 * already-parsed JSON values.
 */

/**
 * The span types MLflow knows (plus coSTAR's AGENT_RUN for the harness's root span). A span keeps
 * whatever type its source wrote, so any other string is valid too and is never turned into UNKNOWN.
 */
// The trace viewer's skeleton sends a type as its index here: append, never reorder.
export const KNOWN_SPAN_TYPES = [
  'UNKNOWN', 'AGENT', 'CHAIN', 'LLM', 'CHAT_MODEL', 'TOOL', 'RETRIEVER', 'EMBEDDING', 'RERANKER', 'PARSER', 'AGENT_RUN',
  'MEMORY', 'WORKFLOW', 'TASK', 'GUARDRAIL', 'EVALUATOR',
] as const;

export type KnownSpanType = (typeof KNOWN_SPAN_TYPES)[number];
// `string & {}` keeps editor completion for the known names while accepting any other.
export type SpanType = KnownSpanType | (string & {});

/** OTLP's SpanKind, by name. */
export type SpanKind = 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';

export type SpanStatusCode = 'UNSET' | 'OK' | 'ERROR';

/** Status codes as small numbers, in the trace outline and the viewer's skeleton. */
export const SPAN_STATUS = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export interface SpanEvent {
  name: string;
  /** Nanoseconds since the epoch, decimal string. */
  timeUnixNano: string;
  attributes: Record<string, unknown>;
}

export interface TokenUsage {
  input: number;
  output: number;
  total: number;
}

export interface Span {
  /** 16 lowercase hex chars. */
  spanId: string;
  /** 16 lowercase hex chars, or null for a root span. */
  parentId: string | null;
  name: string;
  spanType: SpanType;
  /** Nanoseconds since the epoch, decimal strings. */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status: { code: SpanStatusCode; message?: string };
  inputs?: unknown;
  outputs?: unknown;
  /** Remaining attributes, values already JSON-decoded. */
  attributes: Record<string, unknown>;
  events: SpanEvent[];
  /** Token usage when the span is a model call and it was reported. */
  tokens?: TokenUsage;
  /** Tool name when the span is a tool call. */
  toolName?: string;
  /** Model name when the span is a model call and it was reported. */
  model?: string;
  /** OTLP span kind, when the source said (UNSPECIFIED is left out). */
  kind?: SpanKind;
  /** The instrumentation scope (library) that recorded the span. */
  scope?: { name: string; version?: string };
  /** Attributes of the OTLP resource that sent the span (service.name, telemetry.sdk.*, …). */
  resource?: Record<string, unknown>;
}

export interface Artifact {
  /** Path relative to the sandbox, '/'-separated. */
  path: string;
  size: number;
  sha256: string;
  change: 'created' | 'modified' | 'deleted';
  /** Text content when the file is text and under the size cap. */
  text?: string;
}

export type TraceState = 'OK' | 'ERROR' | 'IN_PROGRESS';

export interface TraceInfo {
  /** 32 lowercase hex chars (the OpenTelemetry trace id). MLflow's `tr-` prefix is added on export. */
  traceId: string;
  /** Milliseconds since the epoch. */
  requestTime: number;
  executionDurationMs: number;
  state: TraceState;
  /** Free-form string metadata: scenario id, run id, agent, exit code, how the trace was captured… */
  metadata: Record<string, string>;
  tags: Record<string, string>;
  requestPreview?: string;
  responsePreview?: string;
  /** MLflow's own id of an imported trace when it is not `tr-<traceId>` (MLflow 2 request ids, other back ends). */
  mlflowTraceId?: string;
  /** The MLflow experiment an imported trace belongs to. */
  experimentId?: string;
  /** MLflow's client_request_id (the caller's own request id). */
  clientRequestId?: string;
  /** MLflow assessments (feedback, expectations) of an imported trace, kept verbatim. */
  assessments?: unknown[];
}

export type AssessmentSourceType = 'HUMAN' | 'LLM_JUDGE' | 'CODE' | 'SOURCE_TYPE_UNSPECIFIED';

/**
 * An MLflow assessment, typed (TraceInfo.assessments keeps MLflow's JSON verbatim; assessments.ts
 * reads and writes it): a verdict or label sent to MLflow, or feedback read from it. Feedback is a
 * judgement of the trace, an expectation its ground truth.
 */
export interface Assessment {
  /** MLflow's assessment_id, when the assessment came from a server. */
  id?: string;
  name: string;
  kind: 'feedback' | 'expectation';
  source: { type: AssessmentSourceType; id: string };
  /** The value; absent when the assessment holds an error instead. */
  value?: unknown;
  error?: { code: string; message: string };
  rationale?: string;
  /** The span it is about (16 hex), when it is about one. */
  spanId?: string;
  metadata: Record<string, string>;
  /** ISO 8601. */
  createTime: string;
}

export interface Trace {
  info: TraceInfo;
  spans: Span[];
  artifacts: Artifact[];
}

/** Keys coSTAR writes into `TraceInfo.metadata`. */
export const META = {
  runId: 'costar.run_id',
  scenarioId: 'costar.scenario_id',
  scenarioFile: 'costar.scenario_file',
  attempt: 'costar.attempt',
  agent: 'costar.agent',
  source: 'costar.trace_source',
  exitCode: 'costar.exit_code',
  signal: 'costar.signal',
  importedFrom: 'costar.imported_from',
  /** JSON: workspace-relative path → sha256 of the judge files, modules and schemas that judged the attempt. */
  judgeFiles: 'costar.judge_files',
} as const;

/** How a trace reached coSTAR. */
export type TraceSource = 'otlp' | 'file' | 'fallback' | 'import';

export function nanosToMs(ns: string): number {
  return Number(BigInt(ns) / 1000n) / 1000;
}

export function msToNanos(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}

export function spanDurationMs(span: Span): number {
  return Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6;
}

export function rootSpans(trace: Pick<Trace, 'spans'>): Span[] {
  const ids = new Set(trace.spans.map((s) => s.spanId));
  return trace.spans.filter((s) => s.parentId === null || !ids.has(s.parentId));
}
