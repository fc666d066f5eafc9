/**
 * Everything the golden-set front ends (CLI, labeling panel) load for one judge: the
 * workspace and judge catalog, the judge's entry, its labels, and the labelled traces from
 * the trace store as judge cases. A label whose trace is gone, or whose trace changed since
 * it was labelled, is reported rather than silently used.
 */
import * as path from 'node:path';
import type { JudgeCatalog, JudgeEntry } from '../judges/catalog';
import { createModelClientFromEnv, type Env } from '../llm/fromEnv';
import type { ModelClient } from '../llm/types';
import type { LoadedScenario } from '../scenario/load';
import type { WorkspaceConfig } from '../scenario/schema';
import { traceContentHash } from '../trace/hash';
import { TraceStore } from '../trace/store';
import { loadWorkspaceWithJudges } from '../workspace';
import type { GoldenLabel } from './label';
import { formatGoldenProblem, readLabels } from './store';
import { traceCase, type TraceCase } from './traceCase';
import { llmCacheDir } from '../layout';

export interface GoldenJudgeContext {
  workspaceDir: string;
  config: WorkspaceConfig;
  catalog: JudgeCatalog;
  scenarios: LoadedScenario[];
  judge: JudgeEntry;
  labels: GoldenLabel[];
  /** One case per labelled trace still in the store, in label order. */
  cases: TraceCase[];
  /** Problems worth telling the user: unreadable label lines, missing or changed traces. */
  warnings: string[];
}

export class GoldenSetupError extends Error {}

export async function loadWorkspaceForGolden(workspaceDir: string): Promise<{ config: WorkspaceConfig; catalog: JudgeCatalog; scenarios: LoadedScenario[] }> {
  const { workspace, catalog } = await loadWorkspaceWithJudges(workspaceDir);
  if (!workspace.config || !catalog) throw new GoldenSetupError(`${path.join(workspaceDir, 'costar.yaml')} is missing or invalid: run \`costar validate\` to see why`);
  return { config: workspace.config, catalog, scenarios: workspace.scenarios };
}

export function findJudge(catalog: JudgeCatalog, judgeId: string): JudgeEntry {
  const judge = catalog.get(judgeId);
  if (!judge) {
    const files = catalog.all().filter((e) => e.file).map((e) => e.id);
    throw new GoldenSetupError(`no judge "${judgeId}"; judges defined in judge files: ${files.join(', ') || '(none)'}`);
  }
  return judge;
}

export async function loadGoldenJudge(workspaceDir: string, judgeId: string): Promise<GoldenJudgeContext> {
  const { config, catalog, scenarios } = await loadWorkspaceForGolden(workspaceDir);
  const judge = findJudge(catalog, judgeId);
  const read = await readLabels(workspaceDir, judgeId);
  const warnings = read.problems.map(formatGoldenProblem);
  const store = new TraceStore(workspaceDir);
  const cases: TraceCase[] = [];
  const seen = new Set<string>();
  for (const label of read.labels) {
    const { traceId, contentHash } = label.traceRef;
    if (seen.has(traceId)) continue;
    seen.add(traceId);
    const trace = await store.get(traceId);
    if (!trace) {
      warnings.push(`label of trace ${traceId} (${label.labeller}): the trace is no longer in ${store.dir}; it is left out`);
      continue;
    }
    if (traceContentHash(trace) !== contentHash) warnings.push(`trace ${traceId} changed since ${label.labeller} labelled it (content hash differs); the label is still used`);
    cases.push(traceCase(trace, judgeId, scenarios));
  }
  return { workspaceDir, config, catalog, scenarios, judge, labels: read.labels, cases, warnings };
}

/** The workspace's model client (replies cached under .costar/cache/llm), or undefined without a configured model. */
export function goldenModelClient(workspaceDir: string, env: Env, config: WorkspaceConfig): ModelClient | undefined {
  return createModelClientFromEnv(env, config.model, { cacheDir: llmCacheDir(workspaceDir) });
}
