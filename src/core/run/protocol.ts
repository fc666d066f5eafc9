/**
 * The JSON-lines protocol between a parent (CLI or extension host) and the harness process.
 *
 * The parent writes requests to the harness's stdin, one JSON object per line; the harness
 * writes events to file descriptor 3, one JSON object per line. The harness's own stdout and
 * stderr stay free for logs (a user's judge module may print), so protocol lines never mix
 * with stray output. Every message carries `v`; a parent refuses a harness of another version.
 */
import { z } from 'zod';
import type { Verdict, Outcome } from '../judges/types';
import type { MetricFlag, TraceMetrics } from '../judges/metrics';
import type { Interval } from '../judges/stats';
import type { ChatRequest } from '../llm/types';
import { HOST_MODEL_VERSION, PROTOCOL_VERSION } from './versions';

export { HOST_MODEL_VERSION, PROTOCOL_VERSION };

const HostModel = z.object({
  version: z.literal(HOST_MODEL_VERSION),
  /** The editor's model for judges (a VS Code selector: vendor/id, id or family; '' = the first available). */
  model: z.string(),
});

export const RunRequest = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('run'),
  runId: z.string(),
  workspaceDir: z.string(),
  /** 'run' starts agents; 'rescore' judges the traces of a stored run (no agent runs). */
  mode: z.enum(['run', 'rescore']),
  /** Scenario ids to include (default: all). */
  scenarioIds: z.array(z.string()).optional(),
  /** Substring filter on scenario id/description. */
  filter: z.string().optional(),
  tags: z.array(z.string()).optional(),
  /** `--shard i/n`: after the selection, only this worker's stable share of it (may be empty). */
  shard: z.object({ index: z.number().int().positive(), total: z.number().int().positive() }).optional(),
  concurrency: z.number().int().positive().optional(),
  /** For rescore: the run whose traces are judged ('latest' by default). */
  fromRunId: z.string().optional(),
  /** Only these judges (ids). */
  judges: z.array(z.string()).optional(),
  /** Overrides for the default timeout (ms). */
  timeoutMs: z.number().positive().optional(),
  /** Extra environment for judges (model API key); never logged or stored. */
  secretEnv: z.record(z.string(), z.string()).optional(),
  noCache: z.boolean().optional(),
  /** The parent answers model calls with the editor's model (judges' default provider: vscode). */
  hostModel: HostModel.optional(),
  /**
   * The Debug profile: each agent starts under its debugger and waits for the parent to attach
   * (a `debuggee` event); one attempt per scenario, one at a time, no agent timeout (a paused
   * agent is not a hung one). Only with mode 'run'.
   */
  debug: z.boolean().optional(),
});
export type RunRequest = z.infer<typeof RunRequest>;

export const CancelRequest = z.object({ v: z.literal(PROTOCOL_VERSION), type: z.literal('cancel') });

/** Why the parent could not answer a model call, in the model client's terms (llm/retry.ts Failure). */
export const HostModelFailure = z.object({
  kind: z.enum(['aborted', 'timeout', 'unreachable', 'http', 'malformed', 'refused']),
  message: z.string(),
  status: z.number().int().optional(),
  transient: z.boolean().optional(),
  retryAfterMs: z.number().nonnegative().optional(),
});
export type HostModelFailure = z.infer<typeof HostModelFailure>;

/** The parent's answer to a `modelRequest` event: the reply of one request, or why there is none. */
export const ModelReplyRequest = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('modelReply'),
  version: z.literal(HOST_MODEL_VERSION),
  id: z.string(),
  reply: z
    .object({
      content: z.string().nullable(),
      toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })),
      finishReason: z.string(),
      model: z.string(),
      inputTokens: z.number().nonnegative(),
      outputTokens: z.number().nonnegative(),
    })
    .optional(),
  failure: HostModelFailure.optional(),
});
export type ModelReplyRequest = z.infer<typeof ModelReplyRequest>;

/**
 * The parent's debug session of an attempt ended. An agent that is still running then (the user
 * stopped the session, not the agent's end) cancels the run.
 */
export const DebuggerDetachedRequest = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('debuggerDetached'),
  scenarioId: z.string(),
  attempt: z.number().int().positive(),
});
export type DebuggerDetachedRequest = z.infer<typeof DebuggerDetachedRequest>;

export const HarnessRequest = z.discriminatedUnion('type', [RunRequest, CancelRequest, ModelReplyRequest, DebuggerDetachedRequest]);
export type HarnessRequest = z.infer<typeof HarnessRequest>;

export interface AttemptResult {
  attempt: number;
  status: Outcome;
  traceId?: string;
  durationMs: number;
  exitCode?: number | null;
  /** Why the attempt is an error or was skipped (agent, harness or judge). */
  error?: string;
  /** Set when the agent itself did not finish (timeout, crash, non-zero exit): kept on re-score. */
  agentError?: string;
  verdicts: Verdict[];
  /** Operational metrics of the attempt's trace. */
  metrics?: TraceMetrics;
  /** Workspace files created, changed or deleted outside the sandbox while the agent ran (at most 200 listed). */
  outsideWrites?: { path: string; change: 'created' | 'changed' | 'deleted' }[];
  /** Reported without making the attempt an error: outside writes with sandbox.outsideWrites: warn, dropped spans, processes left running. */
  warnings?: string[];
}

/** How a scenario with `repeat: N` fared across its attempts. */
export interface RepeatStats {
  attempts: number;
  /** Attempts that counted (not skipped) and passed. */
  passed: number;
  /** Chance that at least one of k attempts passes, for k = 1 and k = attempts. */
  passAtK: Record<string, number>;
  /** Chance that all k attempts pass, for k = 1 and k = attempts. */
  passHatK: Record<string, number>;
  /** Per expectation: the share of attempts the judge passed, with a 95% Wilson interval. */
  judges: ({ judge: string; name: string; expectationIndex: number; passed: number; counted: number } & Interval)[];
}

export interface ScenarioResult {
  id: string;
  /** Scenario file, relative to the workspace, '/'-separated. */
  file: string;
  /** 1-based line of the scenario in its file. */
  line: number;
  status: Outcome;
  /** Trace of the last attempt. */
  traceId?: string;
  durationMs: number;
  attempts: AttemptResult[];
  error?: string;
  /** Mean operational metrics over the attempts that have a trace. */
  metrics?: TraceMetrics;
  /** Metrics that doubled or halved since the previous run of this scenario (they don't gate). */
  metricFlags?: MetricFlag[];
  /** Present when the scenario ran more than once. */
  repeat?: RepeatStats;
}

export interface RunSummary {
  total: number;
  passed: number;
  failed: number;
  error: number;
  skipped: number;
  durationMs: number;
}

export interface RunReport {
  runId: string;
  mode: 'run' | 'rescore';
  /** For rescore: the run whose traces were judged. */
  fromRunId?: string;
  workspaceDir: string;
  startedAt: number;
  /**
   * True when the run judged every scenario the workspace had (no --scenario/--tag/--filter
   * narrowing, no shard, no --judge subset): only such a run can be "the last green run".
   * Absent in reports written before it existed (see selectRuns.ts).
   */
  complete?: boolean;
  scenarios: ScenarioResult[];
  summary: RunSummary;
}

type V = typeof PROTOCOL_VERSION;

/** A process of an agent that waits for a debugger (Debug profile), and what the parent attaches with. */
export interface Debuggee {
  /** node: Chrome DevTools protocol (js-debug); python: debugpy (DAP); custom: the agent's `debug` configuration. */
  kind: 'node' | 'python' | 'custom';
  host: string;
  port: number;
  /** node: the inspector's WebSocket URL. */
  url?: string;
  /** The agent's working directory: its sandbox. */
  cwd: string;
  workspaceDir: string;
  /** Sandbox paths that are copies of workspace files (setup.files): where a breakpoint in the source must bind. */
  mappings: { local: string; remote: string }[];
  /** custom: the attach configuration from costar.yaml, placeholders substituted. */
  configuration?: Record<string, unknown>;
}

export type HarnessEvent =
  | { v: V; type: 'hello'; pid: number }
  | { v: V; type: 'runStarted'; runId: string; scenarios: { id: string; file: string; line: number; attempts: number }[] }
  | { v: V; type: 'attemptStarted'; scenarioId: string; attempt: number; pid?: number }
  | { v: V; type: 'output'; scenarioId: string; attempt: number; stream: 'stdout' | 'stderr'; text: string }
  /** Debug profile: a process of the attempt waits for a debugger to attach (Node: one per process). */
  | { v: V; type: 'debuggee'; scenarioId: string; attempt: number; debuggee: Debuggee }
  | { v: V; type: 'verdict'; scenarioId: string; attempt: number; verdict: Verdict }
  | { v: V; type: 'attemptFinished'; scenarioId: string; result: AttemptResult }
  | { v: V; type: 'scenarioFinished'; result: ScenarioResult }
  | { v: V; type: 'runFinished'; report: RunReport }
  | { v: V; type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  /** One model request for the parent to send to the editor's model; answered by a `modelReply` with the same id. */
  | { v: V; type: 'modelRequest'; version: typeof HOST_MODEL_VERSION; id: string; model: string; request: ChatRequest }
  /** The judge that asked gave up (cancel, timeout): the parent may stop the request. */
  | { v: V; type: 'modelCancel'; version: typeof HOST_MODEL_VERSION; id: string }
  | { v: V; type: 'fatal'; message: string; /** true when the workspace's files must be fixed first. */ config?: boolean };

export type HarnessEventType = HarnessEvent['type'];
