/**
 * Runs (or re-scores) a set of scenarios inside the harness process and reports progress as
 * protocol events. Attempts of all scenarios share one concurrency limit; each attempt's
 * trace is stored before any judge reads it.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { AlignmentMemories } from '../core/golden/align/judgeTimeMemory';
import { endpointEmbedder } from '../core/golden/align/embeddings';
import { evaluateExpectations } from '../core/judges/evaluate';
import type { JudgeCatalog } from '../core/judges/catalog';
import { JudgeSnapshot } from '../core/judges/snapshot';
import type { HostModelProvider } from '../core/llm/hostProvider';
import type { ModelClient } from '../core/llm/types';
import { decidePassRule } from '../core/judges/stats';
import type { Outcome, Verdict } from '../core/judges/types';
import { PROTOCOL_VERSION, type AttemptResult, type HarnessEvent, type RunReport, type RunRequest, type ScenarioResult } from '../core/run/protocol';
import { latestRun, resolveRun, saveReport } from '../core/run/runStore';
import { describeSkipped, type SkippedFile } from '../core/util/files';
import { computeTraceMetrics, type TraceMetrics } from '../core/judges/metrics';
import { meanMetrics, metricFlags, metricsByScenario, repeatStats } from './scenarioStats';
import type { LoadedScenario } from '../core/scenario/load';
import { loadWorkspaceWithJudges } from '../core/workspace';
import { formatProblem } from '../core/scenario/yamlSource';
import type { WorkspaceConfig } from '../core/scenario/schema';
import type { Trace } from '../core/trace/model';
import { TraceStore } from '../core/trace/store';
import { runAttempt } from './attempt';
import { judgeModelClient } from './models';
import { unapprovedKeyWarning } from '../core/llm/fromEnv';
import { shardScenarios } from '../core/report/shard';
import { Limiter } from '../core/util/limiter';
import { attemptPaths } from '../core/layout';
import type { DebugDetach } from './debugDetach';

export type Emit = (event: HarnessEvent) => void;

/** Thrown for problems the user must fix before anything can run (exit code 2 in the CLI). */
export class ConfigError extends Error {}

/**
 * `host` answers the editor's model calls when the request asks for them (hostModel);
 * `debugDetach` learns of each debug session's end (request.debug).
 */
export async function runSuite(request: RunRequest, emit: Emit, signal: AbortSignal, host?: HostModelProvider, debugDetach?: DebugDetach): Promise<RunReport> {
  const startedAt = Date.now();
  const workspaceDir = path.resolve(request.workspaceDir);
  if (request.debug && request.mode !== 'run') throw new ConfigError('debugging needs a run of the agents (mode "run"), not a re-score');
  const { config, catalog, scenarios, complete } = await loadForRun(workspaceDir, request);
  const store = new TraceStore(workspaceDir);
  const modelEnv = { ...process.env, ...request.secretEnv };
  const model = judgeModelClient({ ...request, workspaceDir }, config, modelEnv, host);
  const keyWarning = unapprovedKeyWarning(modelEnv, config.model);
  if (keyWarning) emit({ v: PROTOCOL_VERSION, type: 'log', level: 'warn', message: keyWarning });
  const judgeFilter = request.judges ? new Set(request.judges) : undefined;
  // Memory-aligned judges retrieve similar labelled examples by the endpoint's embeddings when it has them.
  const alignment = new AlignmentMemories(workspaceDir, { embedder: async () => (await endpointEmbedder(modelEnv, config.model)).embed });
  // Before any agent starts: what the judges will read, so no agent can rewrite its judge.
  const snapshot = await JudgeSnapshot.take(workspaceDir, catalog, scenarios.map((s) => s.def));
  const context: SuiteContext = { request, workspaceDir, config, catalog, snapshot, model, alignment, store, emit, signal, judgeFilter, debugDetach };

  // A damaged report (a run killed while writing it, a bad merge) is skipped with a warning.
  const skipped: SkippedFile[] = [];
  const fromRun = request.mode === 'rescore' ? await runToRescore(workspaceDir, request.fromRunId, skipped) : undefined;
  // The baseline for ×2 metric flags: the newest agent run before this one.
  const previousMetrics = metricsByScenario(request.mode === 'run' ? await latestRun(workspaceDir, 'run', skipped) : undefined);
  for (const damaged of skipped) emit({ v: PROTOCOL_VERSION, type: 'log', level: 'warn', message: describeSkipped(damaged) });
  const plans = scenarios.map((scenario) => ({
    scenario,
    // Under the debugger: one attempt (each would wait for its own session).
    attempts: fromRun ? (fromRun.scenarios.find((s) => s.id === scenario.def.id)?.attempts.length ?? 0) : request.debug ? 1 : (scenario.def.repeat ?? config.defaults.repeat),
  }));
  emit({
    v: PROTOCOL_VERSION,
    type: 'runStarted',
    runId: request.runId,
    scenarios: plans.map((p) => ({ id: p.scenario.def.id, file: p.scenario.relFile, line: p.scenario.range.line, attempts: p.attempts })),
  });

  // Under the debugger one agent at a time: one paused program to look at, not several racing.
  const limiter = new Limiter(request.debug ? 1 : (request.concurrency ?? config.defaults.concurrency));
  const results = await Promise.all(
    plans.map(async ({ scenario, attempts }) => {
      const previous = fromRun?.scenarios.find((s) => s.id === scenario.def.id);
      const attemptResults = await Promise.all(
        Array.from({ length: attempts }, (_, i) =>
          limiter.run(() => (fromRun ? rescoreAttempt(context, scenario, previous!.attempts[i]!) : runAndJudgeAttempt(context, scenario, i + 1))),
        ),
      );
      const result = summarizeScenario(scenario, attemptResults, fromRun && !previous ? 'not in the re-scored run' : undefined, previousMetrics.get(scenario.def.id));
      emit({ v: PROTOCOL_VERSION, type: 'scenarioFinished', result });
      return result;
    }),
  );

  const report: RunReport = {
    runId: request.runId,
    mode: request.mode,
    ...(fromRun ? { fromRunId: fromRun.runId } : {}),
    workspaceDir,
    startedAt,
    // A re-score of a partial run is partial too.
    complete: complete && (!fromRun || fromRun.complete !== false),
    scenarios: results,
    summary: {
      total: results.length,
      passed: results.filter((r) => r.status === 'passed').length,
      failed: results.filter((r) => r.status === 'failed').length,
      error: results.filter((r) => r.status === 'error').length,
      skipped: results.filter((r) => r.status === 'skipped').length,
      durationMs: Date.now() - startedAt,
    },
  };
  await saveReport(workspaceDir, report);
  emit({ v: PROTOCOL_VERSION, type: 'runFinished', report });
  return report;
}

interface SuiteContext {
  request: RunRequest;
  workspaceDir: string;
  config: WorkspaceConfig;
  catalog: JudgeCatalog;
  snapshot: JudgeSnapshot;
  model: ModelClient | undefined;
  alignment: AlignmentMemories;
  store: TraceStore;
  emit: Emit;
  signal: AbortSignal;
  judgeFilter?: Set<string>;
  debugDetach?: DebugDetach;
}

async function loadForRun(workspaceDir: string, request: RunRequest) {
  const { workspace, catalog, problems } = await loadWorkspaceWithJudges(workspaceDir);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0 || !workspace.config || !catalog) {
    throw new ConfigError(`${errors.length} problem(s) in the workspace; fix them first:\n${errors.map((p) => formatProblem(p, workspaceDir)).join('\n')}`);
  }
  const all = workspace.scenarios;
  if (request.scenarioIds) {
    const known = new Set(all.map((s) => s.def.id));
    const unknown = request.scenarioIds.filter((id) => !known.has(id));
    if (unknown.length) throw new ConfigError(`no scenario with id ${unknown.map((id) => `"${id}"`).join(', ')} in ${workspaceDir}; ${listScenarios(all)}`);
  }
  const chosen = all.filter((s) => selected(s, request));
  // Like pytest's "no tests ran" and Playwright's "No tests found": a selection that matches
  // nothing is a mistake (a typo in --tag or --filter), never a green run.
  if (chosen.length === 0) throw new ConfigError(`no scenario matches ${describeSelection(request)}; ${listScenarios(all)}`);
  // A shard's share of the selection may be empty: more workers than scenarios is no mistake.
  const share = request.shard && new Set(shardScenarios(chosen.map((s) => s.def.id), request.shard.index, request.shard.total));
  const scenarios = share ? chosen.filter((s) => share.has(s.def.id)) : chosen;
  const complete = !request.shard && !request.judges && chosen.length === all.length;
  return { config: workspace.config, catalog, scenarios, complete };
}

/** The run a re-score judges again; naming one that is not stored is the user's to fix (exit 2). */
async function runToRescore(workspaceDir: string, runId: string | undefined, skipped: SkippedFile[]): Promise<RunReport> {
  try {
    return await resolveRun(workspaceDir, runId, skipped);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function describeSelection(request: RunRequest): string {
  const parts = [
    ...(request.scenarioIds ? [`scenario ${request.scenarioIds.map((id) => `"${id}"`).join(', ')}`] : []),
    ...(request.tags?.length ? [`tag ${request.tags.map((t) => `"${t}"`).join(' or ')}`] : []),
    ...(request.filter ? [`filter "${request.filter}" (in id, description or file)`] : []),
  ];
  return parts.length > 0 ? parts.join(' and ') : 'the selection (the workspace has no scenario files)';
}

/** What the user can select from: every id, and every tag in use. */
function listScenarios(all: readonly LoadedScenario[]): string {
  if (all.length === 0) return 'the workspace has no scenarios yet (files named *.scenario.yaml)';
  const tags = [...new Set(all.flatMap((s) => s.def.tags))].sort();
  return `scenarios: ${all.map((s) => s.def.id).join(', ')}; tags: ${tags.length > 0 ? tags.join(', ') : '(none)'}`;
}

function selected(scenario: LoadedScenario, request: RunRequest): boolean {
  const def = scenario.def;
  if (request.scenarioIds && !request.scenarioIds.includes(def.id)) return false;
  if (request.tags?.length && !request.tags.some((tag) => def.tags.includes(tag))) return false;
  if (request.filter) {
    const needle = request.filter.toLowerCase();
    if (![def.id, def.description ?? '', scenario.relFile].some((text) => text.toLowerCase().includes(needle))) return false;
  }
  return true;
}

async function runAndJudgeAttempt(context: SuiteContext, scenario: LoadedScenario, attempt: number): Promise<AttemptResult> {
  const { emit, request } = context;
  const scenarioId = scenario.def.id;
  if (context.signal.aborted) return finishAttempt(context, scenarioId, { attempt, status: 'skipped', durationMs: 0, error: 'cancelled before it started', verdicts: [] });
  emit({ v: PROTOCOL_VERSION, type: 'attemptStarted', scenarioId, attempt });
  try {
    const record = await runAttempt({
      runId: request.runId,
      workspaceDir: context.workspaceDir,
      config: context.config,
      scenario,
      attempt,
      timeoutMs: request.timeoutMs ?? scenario.def.timeout ?? context.config.defaults.timeout,
      store: context.store,
      judgeDigests: context.snapshot.digestsFor(scenario.def.id),
      signal: context.signal,
      onStarted: (pid) => emit({ v: PROTOCOL_VERSION, type: 'attemptStarted', scenarioId, attempt, pid }),
      onOutput: (stream, text) => emit({ v: PROTOCOL_VERSION, type: 'output', scenarioId, attempt, stream, text }),
      ...(request.debug
        ? {
          debug: {
            onDebuggee: (debuggee) => emit({ v: PROTOCOL_VERSION, type: 'debuggee', scenarioId, attempt, debuggee }),
            onAgentRunning: (ended) => context.debugDetach?.agentRunning(scenarioId, attempt, ended),
          },
        }
        : {}),
    });
    const verdicts = context.signal.aborted ? [] : await judge(context, scenario, attempt, record.trace, record.sandboxDir);
    return finishAttempt(context, scenarioId, {
      attempt,
      status: attemptOutcome(record.agentError, verdicts),
      traceId: record.trace.info.traceId,
      durationMs: record.durationMs,
      exitCode: record.exitCode,
      ...(record.agentError ? { error: record.agentError, agentError: record.agentError } : {}),
      ...(record.outsideWrites.length > 0 ? { outsideWrites: record.outsideWrites.slice(0, 200) } : {}),
      ...(record.warnings.length > 0 ? { warnings: record.warnings } : {}),
      verdicts,
      metrics: computeTraceMetrics(record.trace),
    });
  } catch (error) {
    return finishAttempt(context, scenarioId, { attempt, status: 'error', durationMs: 0, error: `harness error: ${(error as Error).message}`, verdicts: [] });
  }
}

async function rescoreAttempt(context: SuiteContext, scenario: LoadedScenario, previous: AttemptResult): Promise<AttemptResult> {
  const scenarioId = scenario.def.id;
  if (!previous.traceId) {
    return finishAttempt(context, scenarioId, { ...previous, status: 'error', error: previous.error ?? 'the re-scored attempt has no stored trace', verdicts: [] });
  }
  context.emit({ v: PROTOCOL_VERSION, type: 'attemptStarted', scenarioId, attempt: previous.attempt });
  try {
    const trace = await context.store.get(previous.traceId);
    if (!trace) throw new Error(`trace ${previous.traceId} is no longer in the store (${context.store.dir})`);
    const runId = trace.info.metadata['costar.run_id'] ?? '';
    const sandboxDir = attemptPaths(context.workspaceDir, runId, scenarioId, previous.attempt).sandbox;
    const verdicts = await judge(context, scenario, previous.attempt, trace, existsSync(sandboxDir) ? sandboxDir : undefined);
    return finishAttempt(context, scenarioId, {
      attempt: previous.attempt,
      status: attemptOutcome(previous.agentError, verdicts),
      traceId: previous.traceId,
      durationMs: previous.durationMs,
      exitCode: previous.exitCode,
      ...(previous.agentError ? { error: previous.agentError, agentError: previous.agentError } : {}),
      ...(previous.outsideWrites ? { outsideWrites: previous.outsideWrites } : {}),
      ...(previous.warnings ? { warnings: previous.warnings } : {}),
      verdicts,
      metrics: computeTraceMetrics(trace),
    });
  } catch (error) {
    return finishAttempt(context, scenarioId, { attempt: previous.attempt, status: 'error', durationMs: 0, traceId: previous.traceId, error: `harness error: ${(error as Error).message}`, verdicts: [] });
  }
}

async function judge(context: SuiteContext, scenario: LoadedScenario, attempt: number, trace: Trace, sandboxDir: string | undefined): Promise<Verdict[]> {
  const verdicts = await evaluateExpectations({
    trace,
    scenario: scenario.def,
    workspaceDir: context.workspaceDir,
    ...(sandboxDir ? { sandboxDir } : {}),
    catalog: context.catalog,
    snapshot: context.snapshot,
    model: context.model,
    alignment: context.alignment,
    signal: context.signal,
    onVerdict: (verdict: Verdict) => context.emit({ v: PROTOCOL_VERSION, type: 'verdict', scenarioId: scenario.def.id, attempt, verdict }),
  });
  // --judge narrows what is reported; expectation indexes must keep pointing at their lines.
  return context.judgeFilter ? verdicts.filter((v) => context.judgeFilter!.has(v.judge)) : verdicts;
}

function finishAttempt(context: SuiteContext, scenarioId: string, result: AttemptResult): AttemptResult {
  context.emit({ v: PROTOCOL_VERSION, type: 'attemptFinished', scenarioId, result });
  return result;
}

/**
 * An attempt is an error when the agent could not finish or any judge could not decide;
 * otherwise failed when any judge said no; skipped when every judge was skipped.
 */
export function attemptOutcome(agentError: string | undefined, verdicts: Verdict[]): Outcome {
  if (agentError || verdicts.some((v) => v.outcome === 'error')) return 'error';
  if (verdicts.some((v) => v.outcome === 'failed')) return 'failed';
  if (verdicts.length > 0 && verdicts.every((v) => v.outcome === 'skipped')) return 'skipped';
  return 'passed';
}

function summarizeScenario(scenario: LoadedScenario, attempts: AttemptResult[], missing: string | undefined, previousMetrics: TraceMetrics | undefined): ScenarioResult {
  const last = attempts.at(-1);
  const status: Outcome = missing ? 'skipped' : attempts.length === 0 ? 'skipped' : decidePassRule(scenario.def.pass, attempts.map((a) => a.status));
  const error = missing ?? attempts.find((a) => a.status === 'error')?.error;
  const metrics = meanMetrics(attempts);
  const flags = metricFlags(metrics, previousMetrics);
  const repeat = repeatStats(attempts);
  return {
    id: scenario.def.id,
    file: scenario.relFile,
    line: scenario.range.line,
    status,
    ...(last?.traceId ? { traceId: last.traceId } : {}),
    durationMs: attempts.reduce((sum, a) => sum + a.durationMs, 0),
    attempts,
    ...(error && status !== 'passed' ? { error } : {}),
    ...(metrics ? { metrics } : {}),
    ...(flags ? { metricFlags: flags } : {}),
    ...(repeat ? { repeat } : {}),
  };
}
