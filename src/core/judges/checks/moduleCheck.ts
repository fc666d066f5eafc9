import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { JudgeContext, JudgeResult, Outcome } from '../types';
import { defineCheck, errored } from './check';

/** What a user's judge module receives. */
export interface ModuleJudgeInput extends JudgeContext {
  /** The expectation's `with:` minus `path` and `export`. */
  args: Record<string, unknown>;
}

/**
 * What it may return: a boolean, or an object with `passed` (or an `outcome`), `rationale`,
 * optional `value` and `spanIds`. Throwing makes the verdict 'error' with the message.
 */
export type ModuleJudgeReturn =
  | boolean
  | { passed?: boolean; outcome?: Outcome; value?: unknown; rationale?: string; spanIds?: string[] };

const OUTCOMES = new Set<Outcome>(['passed', 'failed', 'error', 'skipped']);

/**
 * A custom check written by the user: a JS module (ESM or CommonJS) exporting a judge function.
 * It is imported in the process that evaluates the judges (the harness), never in the editor.
 * TypeScript modules load only when that process runs with a TypeScript loader.
 */
export const moduleCheck = defineCheck({
  id: 'module',
  description: 'A JS module exporting a judge function (with: path, export; other keys are passed to it as args).',
  args: z.looseObject({
    path: z.string().min(1).meta({ description: 'Module path relative to the workspace root.' }),
    export: z.string().min(1).default('default'),
  }),
  async run(ctx, args) {
    const { path: modulePath, export: exportName, ...rest } = args;
    const file = path.resolve(ctx.workspaceDir, modulePath);
    // import() of a FIFO or a device would block the judge process forever.
    const notAFile = await notRegularFile(file);
    if (notAFile) return errored(`cannot load judge module ${modulePath}: ${notAFile}`);
    let loaded: Record<string, unknown>;
    try {
      loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (error) {
      // Node runs TypeScript itself from 22.18 on (type stripping); older ones need a .js file.
      const hint = /\.[cm]?ts$/.test(file) ? ` (TypeScript judge modules need Node 22.18 or newer for the harness; on older Node, compile the module to .js)` : '';
      return errored(`cannot load judge module ${modulePath}: ${(error as Error).message}${hint}`);
    }
    // CommonJS modules arrive as { default: module.exports }.
    const fromDefault = loaded.default as Record<string, unknown> | undefined;
    const fn = loaded[exportName] ?? (exportName !== 'default' && fromDefault && typeof fromDefault === 'object' ? fromDefault[exportName] : undefined);
    if (typeof fn !== 'function') {
      return errored(`judge module ${modulePath} has no function export ${JSON.stringify(exportName)} (found: ${Object.keys(loaded).join(', ') || 'nothing'})`);
    }
    let returned: unknown;
    try {
      returned = await (fn as (input: ModuleJudgeInput) => unknown)({ ...ctx, args: rest });
    } catch (error) {
      return errored(`judge module ${modulePath} threw: ${(error as Error)?.message ?? String(error)}`);
    }
    return normalize(returned, modulePath);
  },
});

async function notRegularFile(file: string): Promise<string | undefined> {
  try {
    return (await stat(file)).isFile() ? undefined : 'it is not a regular file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'it does not exist' : code === 'ELOOP' ? 'it is a symlink loop' : (error as Error).message;
  }
}

function normalize(returned: unknown, modulePath: string): JudgeResult {
  if (typeof returned === 'boolean') {
    return { outcome: returned ? 'passed' : 'failed', value: returned, rationale: `${modulePath} returned ${returned}` };
  }
  if (returned && typeof returned === 'object') {
    const r = returned as Exclude<ModuleJudgeReturn, boolean>;
    const outcome = r.outcome ?? (r.passed === undefined ? undefined : r.passed ? 'passed' : 'failed');
    if (outcome && OUTCOMES.has(outcome)) {
      const rationale = typeof r.rationale === 'string' && r.rationale ? r.rationale : `${modulePath} returned ${outcome} without a rationale`;
      const spanIds = Array.isArray(r.spanIds) ? r.spanIds.filter((s): s is string => typeof s === 'string') : [];
      const result: JudgeResult = { outcome, value: r.value ?? outcome === 'passed', rationale, spanIds };
      if (outcome === 'error' || outcome === 'skipped') result.error = rationale;
      return result;
    }
  }
  return errored(`judge module ${modulePath} must return a boolean or { passed | outcome, rationale }, got ${JSON.stringify(returned)?.slice(0, 100)}`);
}
