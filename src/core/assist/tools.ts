/**
 * The tools a coding assistant uses to drive coSTAR (`costar mcp`, the editor's chat tools):
 * list and run scenarios, re-score, read reports and diffs, and explore a stored trace with
 * the agentic judge's own trace tools (plus a `trace_id`). One implementation for every
 * front end; each answer is compact text an assistant reads plus the same facts as data.
 * Held-out scenarios (./holdout.ts) do not exist as far as these tools are concerned.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { TRACE_TOOLS, TraceToolbox } from '../judges/agentic/traceTools';
import { callTool, type ToolSpec } from '../llm/tools';
import { describeVerdict, explainingVerdicts } from '../report/describe';
import { diffRuns } from '../report/diff';
import { renderDiffText } from '../report/diffText';
import { loadRunMetrics } from '../report/runMetrics';
import { selectRunsToDiff } from '../report/selectRuns';
import { startRun, type RunOptions } from '../run/client';
import type { RunReport, ScenarioResult } from '../run/protocol';
import { listRunIds, loadReport, resolveRun } from '../run/runStore';
import { loadWorkspace, type LoadedScenario } from '../scenario/load';
import { META, type Trace } from '../trace/model';
import { TraceStore } from '../trace/store';
import { heldOutIds, holdoutTags } from './holdout';
import { attemptPaths } from '../layout';

export interface AssistContext {
  workspaceDir: string;
  /** Absolute path of dist/harness.js. */
  harnessPath: string;
  /** Environment of the harness process (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Model key for the judges; passed to the harness, never stored. */
  secretEnv?: Record<string, string>;
  /** Progress of a long tool call (a run), for the front end to forward. */
  onProgress?(progress: number, total: number, message: string): void;
  signal?: AbortSignal;
}

export interface AssistAnswer {
  /** What the assistant reads. */
  text: string;
  /** The same facts, structured. */
  data: Record<string, unknown>;
}

/** A tool's failure the assistant can act on (bad id, nothing to run). */
export class AssistToolError extends Error {}

/** How many stored runs `list_scenarios` looks through for each scenario's last status. */
const STATUS_LOOKBACK_RUNS = 20;

const TraceId = z.string().regex(/^[0-9a-f]{32}$/, 'expected a trace id: 32 lowercase hex digits, as run_scenarios and get_report return');

const Selection = {
  scenario_ids: z.array(z.string()).optional().describe('Scenario ids (default: every scenario you can see).'),
  tags: z.array(z.string()).optional().describe('Only scenarios with one of these tags.'),
  filter: z.string().optional().describe('Only scenarios whose id or description contains this text.'),
};

const ListArgs = z.strictObject({ tags: Selection.tags, filter: Selection.filter });
const RunArgs = z.strictObject({ ...Selection, timeout_seconds: z.number().positive().max(3600).optional().describe('Timeout per scenario attempt.') });
const RescoreArgs = z.strictObject({
  run_id: z.string().default('latest').describe('The run whose stored traces are judged again.'),
  judges: z.array(z.string()).optional().describe('Only these judge ids.'),
  scenario_ids: Selection.scenario_ids,
});
const ReportArgs = z.strictObject({ run_id: z.string().default('latest') });
const DiffArgs = z.strictObject({
  run_a: z.string().optional().describe('Baseline run (default: the last complete green run before run_b).'),
  run_b: z.string().optional().describe('Run to compare (default: the latest).'),
});

type WorkspaceTool = ToolSpec<AssistSession>;

const WORKSPACE_TOOLS: Record<string, WorkspaceTool> = {
  list_scenarios: {
    description: 'Scenarios of the workspace: id, file:line, tags, description and the status of its last run.',
    args: ListArgs,
    run: (s, a) => s.listScenarios(a),
  },
  run_scenarios: {
    description:
      'Run scenarios (start the agent in a fresh sandbox, record the trace, judge it). Returns each scenario\'s status, the failing expectations with their rationales, and trace ids for the trace tools.',
    args: RunArgs,
    run: (s, a) => s.run(a),
  },
  rescore: {
    description: 'Judge the stored traces of a run again (after changing a judge), without running the agent.',
    args: RescoreArgs,
    run: (s, a) => s.rescore(a),
  },
  get_report: {
    description: "A run's results: per scenario status, failing expectations with rationales and trace ids ('latest' by default).",
    args: ReportArgs,
    run: (s, a) => s.report(a),
  },
  diff_runs: {
    description: 'Compare two runs: newly failing, fixed, still failing, and metrics that moved ×2 (default: last complete green run vs latest).',
    args: DiffArgs,
    run: (s, a) => s.diff(a),
  },
};

/** The trace tools of the agentic judge, each with a `trace_id` argument. */
const TRACE_TOOLS_BY_ID: Record<string, WorkspaceTool> = Object.fromEntries(
  Object.entries(TRACE_TOOLS).map(([name, spec]): [string, WorkspaceTool] => [
    name,
    {
      description: `${spec.description} Of the stored trace trace_id.`,
      args: (spec.args as z.ZodObject).extend({ trace_id: TraceId }),
      run: (session, { trace_id: traceId, ...rest }: { trace_id: string } & Record<string, unknown>) => session.traceTool(name, traceId, rest),
    },
  ]),
);

export const ASSIST_TOOLS: Readonly<Record<string, WorkspaceTool>> = { ...WORKSPACE_TOOLS, ...TRACE_TOOLS_BY_ID };

/** JSON Schema of a tool's arguments, for front ends that declare tools by schema (MCP, VS Code). */
export function assistToolInputSchema(name: string): Record<string, unknown> {
  const spec = ASSIST_TOOLS[name];
  if (!spec) throw new Error(`unknown tool ${name}`);
  const schema = z.toJSONSchema(spec.args, { io: 'input' }) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}

/**
 * Runs a tool by name. Bad arguments and failures come back as an answer whose text starts
 * with "Error:" (the assistant can correct itself), never as a thrown error.
 */
export async function callAssistTool(ctx: AssistContext, name: string, args: unknown): Promise<AssistAnswer & { isError: boolean }> {
  const result = await callTool(ASSIST_TOOLS, new AssistSession(ctx), name, JSON.stringify(args ?? {}));
  if (isAnswer(result)) return { ...result, isError: false };
  const message = (result as { error?: string }).error ?? 'the tool returned nothing';
  return { text: `Error: ${message}`, data: { error: message }, isError: true };
}

function isAnswer(value: unknown): value is AssistAnswer {
  return typeof value === 'object' && value !== null && typeof (value as AssistAnswer).text === 'string' && 'data' in value;
}

/** One tool call's view of the workspace (loaded fresh each call: files change between calls). */
class AssistSession {
  private readonly store: TraceStore;

  constructor(private readonly ctx: AssistContext) {
    this.store = new TraceStore(ctx.workspaceDir);
  }

  private async visibleScenarios(): Promise<{ scenarios: LoadedScenario[]; hidden: Set<string> }> {
    const workspace = await loadWorkspace(this.ctx.workspaceDir);
    if (!workspace.config) {
      const first = workspace.problems[0];
      throw new AssistToolError(`costar.yaml cannot be loaded${first ? `: ${first.message}` : ''}; run \`costar validate\``);
    }
    const hidden = heldOutIds(workspace.scenarios, holdoutTags(workspace.config));
    return { scenarios: workspace.scenarios.filter((s) => !hidden.has(s.def.id)), hidden };
  }

  async listScenarios(args: z.output<typeof ListArgs>): Promise<AssistAnswer> {
    const { scenarios } = await this.visibleScenarios();
    const selected = scenarios.filter((s) => matches(s, args.tags, args.filter));
    const status = await this.lastStatuses(new Set(selected.map((s) => s.def.id)));
    const rows = selected.map((s) => ({
      id: s.def.id,
      file: `${s.relFile}:${s.range.line}`,
      tags: s.def.tags,
      ...(s.def.description ? { description: s.def.description } : {}),
      lastStatus: status.get(s.def.id) ?? 'not run',
    }));
    const text = rows.length === 0
      ? 'No scenario matches.'
      : [`${rows.length} scenario${rows.length === 1 ? '' : 's'}:`, ...rows.map((r) => `- ${r.id} [${r.lastStatus}] ${r.file}${r.tags.length ? ` tags: ${r.tags.join(', ')}` : ''}${r.description ? ` — ${r.description}` : ''}`)].join('\n');
    return { text, data: { scenarios: rows } };
  }

  /** Status of each scenario in the newest stored run that ran it. */
  private async lastStatuses(ids: Set<string>): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const runIds = (await listRunIds(this.ctx.workspaceDir)).slice(-STATUS_LOOKBACK_RUNS).reverse();
    for (const runId of runIds) {
      if (found.size === ids.size) break;
      const report = await loadReport(this.ctx.workspaceDir, runId).catch(() => undefined);
      for (const s of report?.scenarios ?? []) if (ids.has(s.id) && !found.has(s.id)) found.set(s.id, s.status);
    }
    return found;
  }

  async run(args: z.output<typeof RunArgs>): Promise<AssistAnswer> {
    const { scenarios } = await this.visibleScenarios();
    const ids = this.pick(scenarios, args.scenario_ids, args.tags, args.filter);
    return this.startAndWait({ mode: 'run', scenarioIds: ids, ...(args.timeout_seconds ? { timeoutMs: args.timeout_seconds * 1000 } : {}) }, ids.length);
  }

  async rescore(args: z.output<typeof RescoreArgs>): Promise<AssistAnswer> {
    const { scenarios, hidden } = await this.visibleScenarios();
    const from = await this.visibleRun(args.run_id, hidden);
    const inRun = new Set(from.scenarios.map((s) => s.id));
    const ids = this.pick(scenarios.filter((s) => inRun.has(s.def.id)), args.scenario_ids, undefined, undefined);
    return this.startAndWait({ mode: 'rescore', fromRunId: from.runId, scenarioIds: ids, ...(args.judges ? { judges: args.judges } : {}) }, ids.length);
  }

  private pick(scenarios: LoadedScenario[], ids: string[] | undefined, tags: string[] | undefined, filter: string | undefined): string[] {
    if (ids) {
      const known = new Set(scenarios.map((s) => s.def.id));
      const unknown = ids.filter((id) => !known.has(id));
      if (unknown.length > 0) throw new AssistToolError(`no scenario ${unknown.map((id) => JSON.stringify(id)).join(', ')}; list_scenarios shows the ids you can run`);
    }
    const picked = scenarios.filter((s) => (!ids || ids.includes(s.def.id)) && matches(s, tags, filter)).map((s) => s.def.id);
    if (picked.length === 0) throw new AssistToolError('no scenario matches that selection; list_scenarios shows what exists');
    return picked;
  }

  private async startAndWait(options: Omit<RunOptions, 'workspaceDir'>, total: number): Promise<AssistAnswer> {
    if (this.ctx.signal?.aborted) throw new AssistToolError('cancelled');
    let finished = 0;
    const handle = startRun(
      { workspaceDir: this.ctx.workspaceDir, ...options, ...(this.ctx.secretEnv ? { secretEnv: this.ctx.secretEnv } : {}) },
      {
        harnessPath: this.ctx.harnessPath,
        ...(this.ctx.env ? { env: this.ctx.env } : {}),
        onEvent: (event) => {
          if (event.type === 'scenarioFinished') this.ctx.onProgress?.(++finished, total, `${event.result.id}: ${event.result.status}`);
        },
      },
    );
    const onAbort = () => handle.cancel();
    this.ctx.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return renderReport(await handle.done);
    } finally {
      this.ctx.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** A stored run without its held-out scenarios. */
  private async visibleRun(runId: string, hidden: Set<string>): Promise<RunReport> {
    let report: RunReport;
    try {
      report = await resolveRun(this.ctx.workspaceDir, runId);
    } catch (error) {
      throw new AssistToolError((error as Error).message);
    }
    return withoutScenarios(report, hidden);
  }

  async report(args: z.output<typeof ReportArgs>): Promise<AssistAnswer> {
    const { hidden } = await this.visibleScenarios();
    return renderReport(await this.visibleRun(args.run_id, hidden));
  }

  async diff(args: z.output<typeof DiffArgs>): Promise<AssistAnswer> {
    const { hidden } = await this.visibleScenarios();
    let runs;
    try {
      runs = await selectRunsToDiff(this.ctx.workspaceDir, args.run_a, args.run_b);
    } catch (error) {
      throw new AssistToolError((error as Error).message);
    }
    const a = withoutScenarios(runs.a, hidden);
    const b = withoutScenarios(runs.b, hidden);
    const metrics = await loadRunMetrics(this.store, [a, b]);
    const diff = diffRuns(a, b, { metricsOf: (id) => metrics.get(id) });
    return { text: renderDiffText(diff).trimEnd(), data: { diff } };
  }

  async traceTool(name: string, traceId: string, args: Record<string, unknown>): Promise<AssistAnswer> {
    const trace = await this.visibleTrace(traceId);
    const answer = await callTool(TRACE_TOOLS, new TraceToolbox(trace, sandboxOf(this.ctx.workspaceDir, trace)), name, JSON.stringify(args));
    if (typeof answer === 'object' && answer !== null && 'error' in answer) throw new AssistToolError(String((answer as { error: unknown }).error));
    return { text: JSON.stringify(answer, null, 1), data: answer as Record<string, unknown> };
  }

  private async visibleTrace(traceId: string): Promise<Trace> {
    const trace = await this.store.get(traceId);
    const { hidden } = await this.visibleScenarios();
    const scenarioId = trace?.info.metadata[META.scenarioId];
    // A held-out scenario's trace is answered exactly like a missing one: nothing leaks.
    if (!trace || (scenarioId !== undefined && hidden.has(scenarioId))) throw new AssistToolError(`no stored trace ${traceId}; get_report lists the trace ids of a run`);
    return trace;
  }
}

function matches(s: LoadedScenario, tags: string[] | undefined, filter: string | undefined): boolean {
  if (tags && tags.length > 0 && !s.def.tags.some((t) => tags.includes(t))) return false;
  if (filter) {
    const needle = filter.toLowerCase();
    if (!s.def.id.toLowerCase().includes(needle) && !(s.def.description ?? '').toLowerCase().includes(needle)) return false;
  }
  return true;
}

/** A report without some scenarios, its summary counted again. */
export function withoutScenarios(report: RunReport, hidden: ReadonlySet<string>): RunReport {
  if (hidden.size === 0) return report;
  const scenarios = report.scenarios.filter((s) => !hidden.has(s.id));
  const count = (status: ScenarioResult['status']) => scenarios.filter((s) => s.status === status).length;
  return {
    ...report,
    scenarios,
    summary: { ...report.summary, total: scenarios.length, passed: count('passed'), failed: count('failed'), error: count('error'), skipped: count('skipped') },
  };
}

function renderReport(report: RunReport): AssistAnswer {
  const { summary } = report;
  const lines = [`Run ${report.runId} (${report.mode}): ${summary.passed} passed, ${summary.failed} failed, ${summary.error} errored, ${summary.skipped} skipped of ${summary.total}.`];
  const scenarios = report.scenarios.map((s) => {
    lines.push(`- ${s.id} [${s.status}] ${s.file}:${s.line}${s.traceId ? ` trace_id=${s.traceId}` : ''}`);
    const reasons = explainingVerdicts(s).map(describeVerdict);
    const agentError = s.attempts.at(-1)?.agentError ?? s.error;
    if (agentError) lines.push(`    agent: ${agentError}`);
    for (const reason of reasons) lines.push(`    ${reason}`);
    return {
      id: s.id,
      status: s.status,
      file: s.file,
      line: s.line,
      traceId: s.traceId ?? null,
      ...(agentError ? { agentError } : {}),
      failing: explainingVerdicts(s).map((v) => ({ judge: v.judge, name: v.name, outcome: v.outcome, rationale: v.rationale, ...(v.error ? { error: v.error } : {}), spanIds: v.spanIds })),
    };
  });
  return { text: lines.join('\n'), data: { runId: report.runId, mode: report.mode, summary, scenarios } };
}

/** The sandbox a run trace's attempt ran in, when it is still on disk (for read_artifact). */
function sandboxOf(workspaceDir: string, trace: Trace): string | undefined {
  const meta = trace.info.metadata;
  const [runId, scenarioId, attempt] = [meta[META.runId], meta[META.scenarioId], meta[META.attempt]];
  if (!runId || !scenarioId || !attempt) return undefined;
  const attemptNumber = Number(attempt);
  if (!Number.isInteger(attemptNumber)) return undefined;
  const dir = attemptPaths(workspaceDir, runId, scenarioId, attemptNumber).sandbox;
  return existsSync(dir) ? dir : undefined;
}
