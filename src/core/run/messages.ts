/**
 * zod schemas of what crosses a process or file boundary: the harness's events (read by the
 * CLI and the extension host) and run reports (read back from .costar/runs and from report
 * files). A harness of another build or a hand-edited report fails here with the field that
 * is wrong, not later as an `undefined` deep inside a reporter.
 *
 * Objects are loose: a newer writer may add fields, which readers keep and ignore.
 */
import { z } from 'zod';
import type { HarnessEvent, RunReport } from './protocol';
import { HOST_MODEL_VERSION, PROTOCOL_VERSION } from './protocol';

const Outcome = z.enum(['passed', 'failed', 'error', 'skipped']);

const Verdict = z.looseObject({
  judge: z.string(),
  name: z.string(),
  expectationIndex: z.number().int(),
  outcome: Outcome,
  value: z.unknown(),
  rationale: z.string(),
  source: z.string(),
  spanIds: z.array(z.string()),
  judgeVersion: z.string(),
  cost: z.looseObject({}),
  error: z.string().optional(),
  createdAt: z.number(),
});

const Metrics = z.record(z.string(), z.number());

const AttemptResult = z.looseObject({
  attempt: z.number().int(),
  status: Outcome,
  traceId: z.string().optional(),
  durationMs: z.number(),
  exitCode: z.number().int().nullable().optional(),
  error: z.string().optional(),
  agentError: z.string().optional(),
  warnings: z.array(z.string()).optional(),
  verdicts: z.array(Verdict),
  metrics: Metrics.optional(),
});

const ScenarioResult = z.looseObject({
  id: z.string(),
  file: z.string(),
  line: z.number().int(),
  status: Outcome,
  traceId: z.string().optional(),
  durationMs: z.number(),
  attempts: z.array(AttemptResult),
  error: z.string().optional(),
  metrics: Metrics.optional(),
  metricFlags: z.array(z.looseObject({ metric: z.string(), message: z.string() })).optional(),
  repeat: z.looseObject({ attempts: z.number(), passed: z.number() }).optional(),
});

const RunReportSchema = z.looseObject({
  runId: z.string(),
  mode: z.enum(['run', 'rescore']),
  fromRunId: z.string().optional(),
  workspaceDir: z.string(),
  startedAt: z.number(),
  scenarios: z.array(ScenarioResult),
  summary: z.looseObject({
    total: z.number().int(),
    passed: z.number().int(),
    failed: z.number().int(),
    error: z.number().int(),
    skipped: z.number().int(),
    durationMs: z.number(),
  }),
});

const v = z.literal(PROTOCOL_VERSION);
const HarnessEventSchema = z.discriminatedUnion('type', [
  z.looseObject({ v, type: z.literal('hello'), pid: z.number().int() }),
  z.looseObject({ v, type: z.literal('runStarted'), runId: z.string(), scenarios: z.array(z.looseObject({ id: z.string(), file: z.string(), line: z.number(), attempts: z.number() })) }),
  z.looseObject({ v, type: z.literal('attemptStarted'), scenarioId: z.string(), attempt: z.number().int(), pid: z.number().int().optional() }),
  z.looseObject({ v, type: z.literal('output'), scenarioId: z.string(), attempt: z.number().int(), stream: z.enum(['stdout', 'stderr']), text: z.string() }),
  z.looseObject({
    v,
    type: z.literal('debuggee'),
    scenarioId: z.string(),
    attempt: z.number().int(),
    debuggee: z.looseObject({
      kind: z.enum(['node', 'python', 'custom']),
      host: z.string(),
      port: z.number().int().min(1).max(65535),
      url: z.string().optional(),
      cwd: z.string(),
      workspaceDir: z.string(),
      mappings: z.array(z.looseObject({ local: z.string(), remote: z.string() })),
      configuration: z.looseObject({ type: z.string() }).optional(),
    }),
  }),
  z.looseObject({ v, type: z.literal('verdict'), scenarioId: z.string(), attempt: z.number().int(), verdict: Verdict }),
  z.looseObject({ v, type: z.literal('attemptFinished'), scenarioId: z.string(), result: AttemptResult }),
  z.looseObject({ v, type: z.literal('scenarioFinished'), result: ScenarioResult }),
  z.looseObject({ v, type: z.literal('runFinished'), report: RunReportSchema }),
  z.looseObject({ v, type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
  z.looseObject({
    v,
    type: z.literal('modelRequest'),
    version: z.literal(HOST_MODEL_VERSION),
    id: z.string(),
    model: z.string(),
    request: z.looseObject({ messages: z.array(z.looseObject({ role: z.string() })) }),
  }),
  z.looseObject({ v, type: z.literal('modelCancel'), version: z.literal(HOST_MODEL_VERSION), id: z.string() }),
  z.looseObject({ v, type: z.literal('fatal'), message: z.string(), config: z.boolean().optional() }),
]);

/** Where and how a value differs from the schema, e.g. `scenarios.0.status: Invalid option…`. */
function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`)
    .join('; ');
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Validates one harness event; the problem names the event type and the offending field. */
export function checkHarnessEvent(data: unknown): Checked<HarnessEvent> {
  const version = (data as { v?: unknown } | null)?.v;
  if (version !== PROTOCOL_VERSION) {
    return { ok: false, problem: `the harness speaks protocol v${String(version)}, this client v${PROTOCOL_VERSION}: rebuild (npm run build)` };
  }
  const parsed = HarnessEventSchema.safeParse(data);
  if (parsed.success) return { ok: true, value: parsed.data as unknown as HarnessEvent };
  const type = (data as { type?: unknown }).type;
  return { ok: false, problem: `harness event ${JSON.stringify(type)} does not match protocol v${PROTOCOL_VERSION}: ${describe(parsed.error)}` };
}

/** Validates a run report; the problem names the offending field. */
export function checkRunReport(data: unknown): Checked<RunReport> {
  const parsed = RunReportSchema.safeParse(data);
  return parsed.success ? { ok: true, value: parsed.data as unknown as RunReport } : { ok: false, problem: describe(parsed.error) };
}
