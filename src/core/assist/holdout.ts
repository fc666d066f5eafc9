/**
 * Held-out scenarios: the ones no coding assistant may see (not in Refine's context, not
 * through its tools, not through `costar mcp` or the editor's chat tools). They are the
 * generalization check — re-run after every accepted change and reported apart — so an
 * assistant that learnt them could overfit without anyone noticing.
 */
import type { ScenarioDef, WorkspaceConfig } from '../scenario/schema';

export const DEFAULT_HOLDOUT_TAGS: readonly string[] = ['holdout'];

export function holdoutTags(config: WorkspaceConfig | undefined): ReadonlySet<string> {
  return new Set(config?.assistants.holdoutTags ?? DEFAULT_HOLDOUT_TAGS);
}

export function isHeldOut(scenario: Pick<ScenarioDef, 'tags'>, tags: ReadonlySet<string>): boolean {
  return scenario.tags.some((tag) => tags.has(tag));
}

/** Ids of the held-out scenarios among `scenarios`. */
export function heldOutIds(scenarios: readonly { def: ScenarioDef }[], tags: ReadonlySet<string>): Set<string> {
  return new Set(scenarios.filter((s) => isHeldOut(s.def, tags)).map((s) => s.def.id));
}
