/**
 * The arguments a check runs with: the judge file's `with:` (for a module judge also its
 * module and export) under the expectation's own `with:`. One merge for the run (evaluate.ts)
 * and for `costar validate` / the Problems panel, so validation says exactly what a run would.
 */
import type { z } from 'zod';
import type { JudgeEntry } from './catalog';

function defaultsOf(entry: JudgeEntry): Record<string, unknown> {
  const def = entry.def;
  if (def?.kind === 'module') return { path: def.module, ...(def.export ? { export: def.export } : {}), ...def.with };
  return def?.with ?? {};
}

/** The check's arguments for one expectation, validated; undefined for judges that are not checks. */
export function parseCheckArgs(entry: JudgeEntry, own: Record<string, unknown>): z.ZodSafeParseResult<unknown> | undefined {
  return entry.check?.args.safeParse({ ...defaultsOf(entry), ...own });
}

/**
 * What is wrong with an expectation's `with:`, as zod issues with paths inside it. Issues about
 * a key only the judge file sets are that file's problem (reported there), not the scenario's.
 */
export function expectationArgIssues(entry: JudgeEntry, own: Record<string, unknown>): z.core.$ZodIssue[] {
  const parsed = parseCheckArgs(entry, own);
  if (!parsed || parsed.success) return [];
  const defaults = defaultsOf(entry);
  const fromFileOnly = (key: PropertyKey | undefined) => key !== undefined && String(key) in defaults && !(String(key) in own);
  return parsed.error.issues.flatMap((issue): z.core.$ZodIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.filter((k) => k in own);
      return keys.length > 0 ? [{ ...issue, keys }] : [];
    }
    return fromFileOnly(issue.path[0]) ? [] : [issue];
  });
}
