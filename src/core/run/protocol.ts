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

export const PROTOCOL_VERSION = 1;

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
});
export type RunRequest = z.infer<typeof RunRequest>;

export const CancelRequest = z.object({ v: z.literal(PROTOCOL_VERSION), type: z.literal('cancel') });

export const HarnessRequest = z.discriminatedUnion('type', [RunRequest, CancelRequest]);
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
  scenarios: ScenarioResult[];
  summary: RunSummary;
}

export type HarnessEvent =
  | { v: 1; type: 'hello'; pid: number }
  | { v: 1; type: 'runStarted'; runId: string; scenarios: { id: string; file: string; line: number; attempts: number }[] }
  | { v: 1; type: 'attemptStarted'; scenarioId: string; attempt: number; pid?: number }
  | { v: 1; type: 'output'; scenarioId: string; attempt: number; stream: 'stdout' | 'stderr'; text: string }
  | { v: 1; type: 'verdict'; scenarioId: string; attempt: number; verdict: Verdict }
  | { v: 1; type: 'attemptFinished'; scenarioId: string; result: AttemptResult }
  | { v: 1; type: 'scenarioFinished'; result: ScenarioResult }
  | { v: 1; type: 'runFinished'; report: RunReport }
  | { v: 1; type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { v: 1; type: 'fatal'; message: string; /** true when the workspace's files must be fixed first. */ config?: boolean };

export type HarnessEventType = HarnessEvent['type'];
