/**
 * Scores one production trace with one monitoring judge: any judge of the workspace's judge
 * catalog — built-in checks, judge files (check wrappers, modules, metrics) and, when a model
 * is configured, LLM and agentic judges; without a model those are `skipped` with how to
 * configure one. The judge runs through the same evaluateExpectations as in tests, so a
 * verdict in production means what it means in CI. A production trace has no scenario and
 * no sandbox: it stands in as a scenario whose prompt is the trace's input.
 */
import { builtinEntries, JudgeCatalog, loadJudgeCatalog } from '../judges/catalog';
import { describeArgIssues } from '../judges/checks/check';
import { finalInput } from '../judges/checks/traceText';
import { evaluateExpectations } from '../judges/evaluate';
import type { JudgeResult } from '../judges/types';
import { createModelClientFromEnv, type Env } from '../llm/fromEnv';
import type { ModelClient } from '../llm/types';
import { loadConfig } from '../scenario/load';
import type { ScenarioDef } from '../scenario/schema';
import type { Problem } from '../scenario/yamlSource';
import type { Trace } from '../trace/model';
import type { MonitorJudge } from './config';
import { judgeName } from './config';
import { llmCacheDir } from '../layout';

export type Scorer = ((trace: Trace, judge: MonitorJudge) => Promise<JudgeResult>) & {
  /** The version of a judge file, so editing the judge (and bumping it) re-scores its traces. */
  judgeVersion?: (judge: MonitorJudge) => string | undefined;
};

export interface CatalogScorerOptions {
  workspaceDir: string;
  catalog: JudgeCatalog;
  /** Absent: LLM and agentic judges are skipped with the setup hint. */
  model?: ModelClient | undefined;
  /** Per verdict (default 60 s; agentic judges may need more). */
  timeoutMs?: number;
}

const BUILTIN_CATALOG = new JudgeCatalog(builtinEntries());

/** Judges of a monitoring config that the catalog does not know: a config error to report up front. */
export function unknownMonitorJudges(judges: readonly MonitorJudge[], catalog: JudgeCatalog = BUILTIN_CATALOG): string[] {
  const known = () => [...catalog.ids()].sort().join(', ');
  return judges
    .filter((j) => !catalog.get(j.judge))
    .map((j) => `${judgeName(j)}: no judge "${j.judge}"; add judges/${j.judge}.judge.yaml or use one of: ${known()}`);
}

export function catalogScorer(options: CatalogScorerOptions): Scorer {
  const { workspaceDir, catalog, model } = options;
  const scorer: Scorer = async (trace, judge) => {
    const entry = catalog.get(judge.judge);
    if (!entry) return errorResult(unknownMonitorJudges([judge], catalog)[0]!);
    if (entry.check) {
      // Checked here rather than in evaluateExpectations so the message points at the right file.
      const def = entry.def;
      const defaults = def?.kind === 'module' ? { path: def.module, ...(def.export ? { export: def.export } : {}), ...def.with } : (def?.with ?? {});
      const args = entry.check.args.safeParse({ ...defaults, ...judge.with });
      if (!args.success) return errorResult(`costar.monitor.yaml, judge ${judgeName(judge)}: ${describeArgIssues(args.error).join('; ')}`);
    }
    const scenario: ScenarioDef = {
      id: `production-${trace.info.traceId.slice(0, 8)}`,
      tags: [],
      setup: { files: {}, env: {}, commands: [] },
      prompt: finalInput(trace) || '(production trace)',
      expectations: [{ judge: judge.judge, with: judge.with, name: judgeName(judge) }],
      pass: 'all',
    };
    const [verdict] = await evaluateExpectations({
      trace, scenario, workspaceDir, catalog, model, signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    const result: JudgeResult = { outcome: verdict!.outcome, value: verdict!.value, rationale: verdict!.rationale, spanIds: verdict!.spanIds, cost: verdict!.cost };
    if (verdict!.error !== undefined) result.error = verdict!.error;
    return result;
  };
  // Built-ins keep their old fingerprint (no version): stored scores stay valid across upgrades.
  scorer.judgeVersion = (judge) => (catalog.get(judge.judge)?.file ? catalog.get(judge.judge)!.version : undefined);
  return scorer;
}

/** Built-in checks only: for callers that have no workspace judges to offer. */
export function builtinCheckScorer(workspaceDir: string): Scorer {
  return catalogScorer({ workspaceDir, catalog: BUILTIN_CATALOG });
}

export interface WorkspaceScorer {
  scorer: Scorer;
  catalog: JudgeCatalog;
  /** Whether LLM/agentic judges will run (false: they are skipped). */
  hasModel: boolean;
  /** Broken judge files or costar.yaml: reported, the rest still loads. */
  problems: Problem[];
}

/**
 * The scorer of a workspace: its judge catalog (costar.yaml `judges:`, default `judges/`) and
 * its model from costar.yaml + the environment, model replies cached like test runs'. A
 * workspace without costar.yaml still monitors with the built-ins and `judges/`.
 */
export async function loadWorkspaceScorer(workspaceDir: string, env: Env): Promise<WorkspaceScorer> {
  const { config, problems: configProblems } = await loadConfig(workspaceDir);
  const missingConfig = config === undefined && configProblems.every((p) => /no costar\.yaml/.test(p.message));
  const { catalog, problems } = await loadJudgeCatalog(workspaceDir, config ?? {});
  const model = createModelClientFromEnv(env, config?.model, { cacheDir: llmCacheDir(workspaceDir) });
  return {
    scorer: catalogScorer({ workspaceDir, catalog, model }),
    catalog,
    hasModel: model !== undefined,
    problems: [...(missingConfig ? [] : configProblems), ...problems],
  };
}

function errorResult(message: string): JudgeResult {
  return { outcome: 'error', value: null, rationale: message, error: message };
}
