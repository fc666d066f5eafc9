import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { JudgeContext, JudgeResult, Outcome } from '../types';
import { readJudgeInput } from '../snapshot';
import { defineCheck, errored } from './check';
import { runInJudgeWorker } from './moduleWorker';

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
 * It runs in a worker thread of the process that evaluates the judges (the harness), never in
 * the editor, from the judge snapshot taken before the agent started (see moduleWorker.ts).
 * TypeScript modules load only when that process can run TypeScript; they are loaded from
 * disk after checking that their bytes still match the snapshot.
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
    const isTypeScript = /\.[cm]?ts$/.test(file);
    const snapshot = await readJudgeInput(ctx.snapshot, file);
    if ('error' in snapshot) return errored(`cannot load judge module ${modulePath}: ${snapshot.error}`);
    if (isTypeScript && ctx.snapshot) {
      const now = await readJudgeInput(undefined, file);
      if (!('sha256' in now) || now.sha256 !== snapshot.sha256) {
        return errored(`judge module ${modulePath} changed on disk after the run started (sha256 ${snapshot.sha256.slice(0, 12)}… then, ${'sha256' in now ? `${now.sha256.slice(0, 12)}…` : now.error} now); it was not run — see "outside writes" in the trace`);
      }
    }
    const { signal, snapshot: _snapshot, ...cloneable } = ctx;
    const answer = await runInJudgeWorker({
      url: pathToFileURL(file).href,
      exportName,
      ...(isTypeScript ? {} : { source: snapshot.text }),
      input: { ...cloneable, args: rest },
      signal,
    });
    switch (answer.kind) {
      case 'returned':
        return normalize(answer.value, modulePath);
      case 'threw':
        return errored(`judge module ${modulePath} threw: ${answer.message}`);
      case 'load-failed': {
        // Node runs TypeScript itself from 22.18 on (type stripping); older ones need a .js file.
        const hint = isTypeScript ? ` (TypeScript judge modules need Node 22.18 or newer for the harness; on older Node, compile the module to .js)` : '';
        return errored(`cannot load judge module ${modulePath}: ${answer.message}${hint}`);
      }
      case 'no-function':
        return errored(`judge module ${modulePath} has no function export ${JSON.stringify(exportName)} (found: ${answer.found.join(', ') || 'nothing'})`);
      case 'stopped':
        return errored(`judge module ${modulePath} was stopped (cancelled or over its timeout)`);
      case 'crashed':
        return errored(`judge module ${modulePath} crashed: ${answer.message}`);
    }
  },
});

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
