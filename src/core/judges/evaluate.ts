/**
 * Judges one trace against a scenario's expectations: one verdict per expectation, in
 * expectation order. It never throws for a judge's own failure — that becomes an 'error'
 * verdict with the reason — and model-based judges without a model are 'skipped' with how
 * to configure one, so everything deterministic still runs offline.
 */
import { AlignmentMemories } from '../golden/align/judgeTimeMemory';
import type { ModelClient } from '../llm/types';
import { mapLimited } from '../util/limiter';
import { MODEL_SETUP_HINT } from '../llm/fromEnv';
import type { ExpectationDef, ScenarioDef } from '../scenario/schema';
import { traceContentHash } from '../trace/hash';
import type { Trace } from '../trace/model';
import { runAgenticJudge } from './agentic/agenticJudge';
import type { JudgeCatalog, JudgeEntry } from './catalog';
import type { JudgeKind } from './judgeFile';
import type { JudgeSnapshot } from './snapshot';
import { formatDuration, parseDuration } from '../util/duration';
import { describeArgIssues } from './checks/check';
import { rootEvidence } from './checks/evidence';
import { parseCheckArgs } from './checkArgs';
import { describePass, valuePasses } from './judgeFile';
import { runLlmJudge } from './llmJudge';
import { computeTraceMetrics } from './metrics';
import { ZERO_COST, type AssessmentSource, type JudgeContext, type JudgeResult, type Verdict } from './types';

export interface EvaluateOptions {
  trace: Trace;
  scenario: ScenarioDef;
  workspaceDir: string;
  /** The sandbox the agent ran in, when it still exists (re-scoring works without it). */
  sandboxDir?: string;
  catalog: JudgeCatalog;
  /** Absent: model-based judges are skipped with MODEL_SETUP_HINT. */
  model?: ModelClient | undefined;
  signal: AbortSignal;
  /** Called as each verdict is ready (they finish out of order). */
  onVerdict?: (verdict: Verdict) => void;
  /** Judges running at once for this trace (default 4); model calls are further bounded by the client. */
  concurrency?: number;
  /**
   * The memories of memory-aligned LLM judges (golden/<judge>.memory.json). Pass one instance
   * for a whole run (it caches, and may retrieve by embeddings); default: read for this trace,
   * BM25 retrieval.
   */
  alignment?: AlignmentMemories;
  /** Judge files, modules and schemas as read before the agent started; judges read these, not the disk. */
  snapshot?: JudgeSnapshot;
}

/** A judge's own limit when neither its expectation nor its judge file sets `timeout:`. */
export const DEFAULT_JUDGE_TIMEOUT_MS: Readonly<Record<JudgeKind, number>> = {
  check: 30_000,
  module: 30_000,
  metric: 30_000,
  // A model call may take its own timeout (60 s by default) and be retried: room for two.
  llm: 120_000,
  // Up to maxSteps model calls in one session.
  agentic: 300_000,
};
/** The `command` check's own with.timeout (default 30 s) plus time to collect its output. */
const COMMAND_GRACE_MS = 5_000;

export async function evaluateExpectations(options: EvaluateOptions): Promise<Verdict[]> {
  let traceHash: string | undefined;
  const hash = () => (traceHash ??= traceContentHash(options.trace));
  const alignment = options.alignment ?? new AlignmentMemories(options.workspaceDir);
  return mapLimited(options.scenario.expectations, options.concurrency ?? 4, async (expectation, index) => {
    const verdict = await evaluateOne({ ...options, alignment }, expectation, index, hash);
    options.onVerdict?.(verdict);
    return verdict;
  });
}

async function evaluateOne(options: EvaluateOptions & { alignment: AlignmentMemories }, expectation: ExpectationDef, index: number, traceHash: () => string): Promise<Verdict> {
  const entry = options.catalog.get(expectation.judge);
  const started = performance.now();
  let result: JudgeResult;
  if (!entry) {
    const known = [...options.catalog.ids()].sort().join(', ');
    result = errorResult(`unknown judge "${expectation.judge}"; add judges/${expectation.judge}.judge.yaml or use one of: ${known}`);
  } else if (options.signal.aborted) {
    result = { outcome: 'skipped', value: null, rationale: 'the run was cancelled before this judge ran', error: 'cancelled' };
  } else {
    const ctx: JudgeContext = {
      trace: options.trace,
      scenario: options.scenario,
      expectation,
      expectationIndex: index,
      workspaceDir: options.workspaceDir,
      signal: options.signal,
    };
    if (options.sandboxDir) ctx.sandboxDir = options.sandboxDir;
    if (options.snapshot) ctx.snapshot = options.snapshot;
    result = await withJudgeTimeout(entry, expectation, ctx, (bounded) => runJudge(entry, bounded, options.model, options.alignment, traceHash));
  }
  const ms = performance.now() - started;
  const verdict: Verdict = {
    judge: expectation.judge,
    name: expectation.name ?? expectation.judge,
    expectationIndex: index,
    outcome: result.outcome,
    value: result.value,
    rationale: result.rationale,
    source: sourceOf(entry),
    spanIds: citedSpans(result, entry, options.trace),
    judgeVersion: entry?.version ?? '0',
    cost: { ...ZERO_COST, ...result.cost, ms: Math.round(ms * 1000) / 1000 },
    createdAt: Date.now(),
  };
  if (result.error !== undefined) verdict.error = result.error;
  if (result.model !== undefined) verdict.model = result.model;
  return verdict;
}

/**
 * Runs a judge under its timeout: when it passes, the judge's signal is aborted (a module's
 * worker is terminated, a command's process group killed, a model call dropped) and the
 * verdict is an error naming the limit and where to raise it — whether or not the judge
 * itself ever notices.
 */
async function withJudgeTimeout(entry: JudgeEntry, expectation: ExpectationDef, ctx: JudgeContext, run: (ctx: JudgeContext) => Promise<JudgeResult>): Promise<JudgeResult> {
  const limit = judgeTimeout(entry, expectation);
  const deadline = new AbortController();
  const bounded: JudgeContext = { ...ctx, signal: AbortSignal.any([ctx.signal, deadline.signal]) };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<JudgeResult>((resolve) => {
    timer = setTimeout(() => {
      deadline.abort();
      resolve(errorResult(`judge ${entry.id} did not finish within its timeout of ${formatDuration(limit.ms)} (${limit.from}) and was stopped; make it faster or set a longer timeout: on the expectation or in the judge file`));
    }, limit.ms);
  });
  const running = run(bounded).catch((error: unknown) => errorResult(`judge ${entry.id} failed: ${(error as Error)?.message ?? String(error)}`));
  try {
    return await Promise.race([running, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** The expectation's timeout, else the judge file's, else the default for the judge's kind. */
export function judgeTimeout(entry: JudgeEntry, expectation: ExpectationDef): { ms: number; from: string } {
  if (expectation.timeout !== undefined) return { ms: expectation.timeout, from: "the expectation's timeout" };
  if (entry.def?.timeout !== undefined) return { ms: entry.def.timeout, from: `timeout in ${entry.inline ? 'costar.yaml' : 'the judge file'}` };
  if (entry.check?.id === 'command') {
    const own = parseDuration(String(expectation.with.timeout ?? entry.def?.with.timeout ?? '30s'));
    if (own !== undefined) return { ms: own + COMMAND_GRACE_MS, from: "the command's with.timeout plus 5s" };
  }
  return { ms: DEFAULT_JUDGE_TIMEOUT_MS[entry.kind], from: `the default for ${entry.kind} judges` };
}

async function runJudge(entry: JudgeEntry, ctx: JudgeContext, model: ModelClient | undefined, alignment: AlignmentMemories, traceHash: () => string): Promise<JudgeResult> {
  const def = entry.def;
  switch (entry.kind) {
    case 'check':
    case 'module': {
      const check = entry.check!;
      const parsed = parseCheckArgs(entry, ctx.expectation.with)!;
      if (!parsed.success) {
        return errorResult(`judge ${entry.id}: ${describeArgIssues(parsed.error).join('; ')} — fix the expectation's with: in the scenario${def ? ' or the judge file' : ''}`);
      }
      return check.run(ctx, parsed.data);
    }
    case 'metric': {
      const metric = def!.metric!;
      const value = computeTraceMetrics(ctx.trace)[metric];
      const ok = valuePasses({ type: 'number', min: -Infinity, max: Infinity }, def!.pass, value);
      return { outcome: ok ? 'passed' : 'failed', value, rationale: `${metric} = ${value} (${describePass({ type: 'number', min: -Infinity, max: Infinity }, def!.pass)})` };
    }
    case 'llm':
    case 'agentic': {
      if (!model) return { outcome: 'skipped', value: null, rationale: `judge ${entry.id} needs a model: ${MODEL_SETUP_HINT}`, error: MODEL_SETUP_HINT };
      const asked = { model: def!.model ?? model.model };
      if (entry.kind === 'agentic') return { ...asked, ...(await runAgenticJudge(def!, ctx, model, traceHash())) };
      return { ...asked, ...(await runLlmJudge(def!, ctx, model, traceHash(), await alignment.promptFor(def!, ctx.trace, ctx.scenario))) };
    }
  }
}

/**
 * A deterministic verdict always points somewhere: a check that names no span cites the root
 * span (the run as a whole), so the trace viewer opens on something and "only cited spans"
 * works. Model judges cite what the model cited, nothing invented.
 */
function citedSpans(result: JudgeResult, entry: JudgeEntry | undefined, trace: Trace): string[] {
  const cited = result.spanIds ?? [];
  if (cited.length > 0 || sourceOf(entry) !== 'CODE' || (result.outcome !== 'passed' && result.outcome !== 'failed')) return cited;
  return rootEvidence(trace);
}

function sourceOf(entry: JudgeEntry | undefined): AssessmentSource {
  return entry && (entry.kind === 'llm' || entry.kind === 'agentic') ? 'LLM_JUDGE' : 'CODE';
}

function errorResult(message: string): JudgeResult {
  return { outcome: 'error', value: null, rationale: message, error: message };
}
