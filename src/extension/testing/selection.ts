import type * as vscodeTypes from 'vscode';
import type { TestTree } from './testTree';

/**
 * Turns a TestRunRequest's include/exclude into the scenarios to run, grouped by workspace
 * folder. The harness runs whole scenarios: choosing one judge runs its scenario.
 */
export function selectScenarios(
  tree: TestTree,
  include: readonly vscodeTypes.TestItem[] | undefined,
  exclude: readonly vscodeTypes.TestItem[] | undefined,
): Map<string, vscodeTypes.TestItem[]> {
  const excluded = new Set(exclude ?? []);
  const selected = new Map<string, Set<vscodeTypes.TestItem>>();
  const add = (workspaceDir: string, item: vscodeTypes.TestItem) => {
    if (excluded.has(item)) return;
    selected.set(workspaceDir, (selected.get(workspaceDir) ?? new Set()).add(item));
  };
  const visit = (item: vscodeTypes.TestItem): void => {
    if (excluded.has(item)) return;
    const ref = tree.ref(item);
    if (!ref) return;
    if (ref.kind === 'scenario') add(ref.workspaceDir, item);
    else if (ref.kind === 'judge') {
      const scenario = tree.scenarioItem(ref.workspaceDir, ref.scenarioId);
      if (scenario) add(ref.workspaceDir, scenario);
    } else item.children.forEach(visit);
  };
  for (const item of include ?? tree.workspaceItems()) visit(item);
  return new Map([...selected].map(([dir, items]) => [dir, [...items]]));
}
