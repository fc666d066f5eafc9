/**
 * What the refine assistant is told up front: the failing verdicts of the chosen scenarios
 * with their rationales, short excerpts of the spans the judges cite (through the trace
 * tools, never the whole trace), the scenario definitions, the scenarios that pass now with
 * their expectations (constraints it must keep), and the source folders it may edit.
 * Held-out scenarios (core/assist/holdout.ts) appear nowhere: they stay an honest check. The rendered prompt is hashed so the history can tell two refinements of the same
 * situation apart from two of different ones.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { TraceToolbox } from '../judges/agentic/traceTools';
import type { Outcome } from '../judges/types';
import { lastAttemptVerdicts } from '../report/jsonReport';
import type { RunReport, ScenarioResult } from '../run/protocol';
import { loadWorkspace, type LoadedScenario } from '../scenario/load';
import { rootSpans } from '../trace/model';
import { TraceStore } from '../trace/store';
import { heldOutIds, holdoutTags } from '../assist/holdout';

const SPAN_EXCERPT_CHARS = 1_500;
const SPANS_PER_VERDICT = 5;

export interface SpanExcerpt {
  spanId: string;
  name: string;
  /** The start of the span's content (status, inputs, outputs, attributes) as JSON text. */
  excerpt: string;
}

export interface FailingVerdict {
  judge: string;
  name: string;
  outcome: Outcome;
  rationale: string;
  error?: string;
  spans: SpanExcerpt[];
}

export interface FailingScenario {
  id: string;
  /** Scenario file, workspace-relative. */
  file: string;
  line: number;
  status: Outcome;
  /** The scenario as YAML, as the harness understood it. */
  definition: string;
  verdicts: FailingVerdict[];
  /** Why the agent itself did not finish (crash, timeout, non-zero exit). */
  agentError?: string;
  /** The root span (request and final answer) when no judge cited a span. */
  rootSpan?: SpanExcerpt;
}

/** A scenario of the agent that passes in the refined run: what the change must not break. */
export interface PassingConstraint {
  id: string;
  file: string;
  line: number;
  prompt: string;
  /** Its expectations as YAML (judge, name, arguments). */
  expectations: string;
}

export interface RefineContext {
  workspaceDir: string;
  agent: string;
  /** The agent's declared source folders (costar.yaml `source`), workspace-relative. */
  sourceFolders: string[];
  /** The run whose failures are being fixed. */
  runId: string;
  scenarios: FailingScenario[];
  /** Passing scenarios of the agent (held-out ones excepted). */
  constraints: PassingConstraint[];
}

export interface BuildContextOptions {
  workspaceDir: string;
  agent: string;
  report: RunReport;
  /** Scenarios to fix (default: every failing scenario of the agent in the run). */
  scenarioIds?: readonly string[];
}

export async function buildRefineContext(options: BuildContextOptions): Promise<RefineContext> {
  const { workspaceDir, agent, report } = options;
  const workspace = await loadWorkspace(workspaceDir);
  if (!workspace.config) {
    throw new Error(`cannot refine: ${workspace.configFile} is missing or invalid (${workspace.problems[0]?.message ?? 'see costar validate'})`);
  }
  const agentConfig = workspace.config.agents[agent];
  if (!agentConfig) {
    const known = Object.keys(workspace.config.agents);
    throw new Error(`no agent "${agent}" in costar.yaml; agents: ${known.length > 0 ? known.join(', ') : '(none)'}`);
  }
  const hidden = heldOutIds(workspace.scenarios, holdoutTags(workspace.config));
  const loaded = new Map(workspace.scenarios.filter((s) => !hidden.has(s.def.id)).map((s) => [s.def.id, s]));
  const visible = { ...report, scenarios: report.scenarios.filter((s) => !hidden.has(s.id)) };
  for (const id of options.scenarioIds ?? []) {
    if (hidden.has(id)) throw new Error(`scenario "${id}" is held out (tagged ${[...holdoutTags(workspace.config)].join('/')}): no assistant may see it, so it cannot be refined`);
  }
  const selected = selectScenarios(visible, loaded, agent, options.scenarioIds);
  const store = new TraceStore(workspaceDir);
  const scenarios: FailingScenario[] = [];
  for (const result of selected) scenarios.push(await describeFailure(result, loaded.get(result.id)!, store));
  const constraints = visible.scenarios
    .filter((r) => r.status === 'passed' && loaded.get(r.id)?.agentName === agent)
    .map((r): PassingConstraint => {
      const def = loaded.get(r.id)!.def;
      return { id: r.id, file: r.file, line: r.line, prompt: def.prompt, expectations: stringify(def.expectations).trimEnd() };
    });
  return { workspaceDir: workspace.workspaceDir, agent, sourceFolders: agentConfig.source, runId: report.runId, scenarios, constraints };
}

function selectScenarios(report: RunReport, loaded: Map<string, LoadedScenario>, agent: string, ids: readonly string[] | undefined): ScenarioResult[] {
  const ofAgent = (r: ScenarioResult) => loaded.get(r.id)?.agentName === agent;
  if (ids && ids.length > 0) {
    return ids.map((id) => {
      const result = report.scenarios.find((s) => s.id === id);
      if (!result) throw new Error(`scenario "${id}" is not in run ${report.runId}; run it first (costar run --scenario ${id})`);
      if (!loaded.has(id)) throw new Error(`scenario "${id}" is no longer in the workspace's scenario files`);
      if (!ofAgent(result)) throw new Error(`scenario "${id}" runs agent "${loaded.get(id)!.agentName}", not "${agent}"`);
      if (result.status === 'passed') throw new Error(`scenario "${id}" passed in run ${report.runId}: there is nothing to fix`);
      return result;
    });
  }
  const failing = report.scenarios.filter((s) => ofAgent(s) && (s.status === 'failed' || s.status === 'error'));
  if (failing.length === 0) throw new Error(`no scenario of agent "${agent}" failed in run ${report.runId}: there is nothing to refine`);
  return failing;
}

async function describeFailure(result: ScenarioResult, scenario: LoadedScenario, store: TraceStore): Promise<FailingScenario> {
  const trace = result.traceId ? await store.get(result.traceId).catch(() => undefined) : undefined;
  const toolbox = trace ? new TraceToolbox(trace) : undefined;
  const excerpt = (spanId: string): SpanExcerpt | undefined => {
    const span = trace?.spans.find((s) => s.spanId === spanId);
    const answer = toolbox?.getSpan({ spanId, offset: 0, maxChars: SPAN_EXCERPT_CHARS });
    if (!span || !answer || 'error' in answer) return undefined;
    return { spanId, name: span.name, excerpt: answer.content + (answer.nextOffset !== undefined ? ' …' : '') };
  };
  const verdicts = lastAttemptVerdicts(result)
    .filter((v) => v.outcome === 'failed' || v.outcome === 'error')
    .map((v): FailingVerdict => ({
      judge: v.judge,
      name: v.name,
      outcome: v.outcome,
      rationale: v.rationale,
      ...(v.error ? { error: v.error } : {}),
      spans: v.spanIds.slice(0, SPANS_PER_VERDICT).flatMap((id) => excerpt(id) ?? []),
    }));
  const failing: FailingScenario = {
    id: result.id,
    file: result.file,
    line: result.line,
    status: result.status,
    definition: stringify(scenario.def).trimEnd(),
    verdicts,
  };
  const agentError = result.attempts.at(-1)?.agentError;
  if (agentError) failing.agentError = agentError;
  const root = trace ? rootSpans(trace)[0] : undefined;
  if (root && verdicts.every((v) => v.spans.length === 0)) {
    const rootExcerpt = excerpt(root.spanId);
    if (rootExcerpt) failing.rootSpan = rootExcerpt;
  }
  return failing;
}

/** The first user message of the refine session. */
export function renderContext(ctx: RefineContext): string {
  const parts = [
    `Agent under test: ${ctx.agent}. You may read and edit only its source folders: ${ctx.sourceFolders.map((f) => `${f}/`).join(', ')}.`,
    `These scenarios failed in run ${ctx.runId}. Change the agent's source so that they pass without breaking other scenarios.`,
  ];
  for (const s of ctx.scenarios) {
    parts.push(`\n## Scenario ${s.id} (${s.file}:${s.line}) — ${s.status}\n\nDefinition:\n\`\`\`yaml\n${s.definition}\n\`\`\``);
    if (s.agentError) parts.push(`The agent did not finish: ${s.agentError}`);
    for (const v of s.verdicts) {
      parts.push(`- Judge ${v.judge} ("${v.name}") ${v.outcome}: ${v.rationale}${v.error && v.error !== v.rationale ? ` (error: ${v.error})` : ''}`);
      for (const span of v.spans) parts.push(`  Cited span ${span.spanId} "${span.name}":\n  ${span.excerpt}`);
    }
    if (s.rootSpan) parts.push(`Root span ${s.rootSpan.spanId} "${s.rootSpan.name}" (request and answer):\n${s.rootSpan.excerpt}`);
  }
  if (ctx.constraints.length > 0) {
    parts.push(`\n## Scenarios that pass now — keep them passing\n\nYour change is re-run against these too; a change that turns one red is flagged, not accepted as a fix.`);
    for (const c of ctx.constraints) parts.push(`- ${c.id} (${c.file}:${c.line}): prompt ${JSON.stringify(c.prompt)}\n  expectations:\n${indent(c.expectations, '    ')}`);
  }
  return parts.join('\n');
}

function indent(text: string, prefix: string): string {
  return text.split('\n').map((line) => `${prefix}${line}`).join('\n');
}

/** sha256 of the exact prompt the assistant started from. */
export function contextHash(system: string, user: string): string {
  return createHash('sha256').update(system).update('\0').update(user).digest('hex');
}
