/**
 * The whole workspace as every front end needs it: config, judges, scenarios, and all
 * problems of all three, so that one call validates everything a run would use.
 */
import { loadJudgeCatalog, type JudgeCatalog } from './judges/catalog';
import { loadConfig, loadWorkspace, type LoadedWorkspace, type LoadOptions } from './scenario/load';
import { sortProblems, type Problem } from './scenario/yamlSource';

export interface WorkspaceWithJudges {
  workspace: LoadedWorkspace;
  catalog?: JudgeCatalog;
  problems: Problem[];
}

export async function loadWorkspaceWithJudges(workspaceDir: string, opts: Pick<LoadOptions, 'overrides'> = {}): Promise<WorkspaceWithJudges> {
  const loadedConfig = await loadConfig(workspaceDir, opts.overrides);
  const judges = loadedConfig.config ? await loadJudgeCatalog(workspaceDir, loadedConfig.config) : undefined;
  const workspace = await loadWorkspace(workspaceDir, { ...opts, loadedConfig, ...(judges ? { knownJudges: judges.catalog.ids(), judges: judges.catalog } : {}) });
  return {
    workspace,
    ...(judges ? { catalog: judges.catalog } : {}),
    problems: sortProblems([...(judges?.problems ?? []), ...workspace.problems]),
  };
}
