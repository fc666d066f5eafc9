/**
 * A deterministic check: a built-in judge that needs no model. Its arguments come from the
 * expectation's `with:` (merged over a judge file's own `with:`) and are validated by zod, so
 * a typo in a scenario becomes an 'error' verdict that says which argument and what to write.
 */
import type { z } from 'zod';
import type { JudgeContext, JudgeResult } from '../types';

export interface CheckDef<Args = any> {
  id: string;
  /** One line for docs and completion. */
  description: string;
  args: z.ZodType<Args>;
  run(ctx: JudgeContext, args: Args): Promise<JudgeResult>;
}

export function defineCheck<S extends z.ZodType>(def: {
  id: string;
  description: string;
  args: S;
  run(ctx: JudgeContext, args: z.output<S>): Promise<JudgeResult>;
}): CheckDef<z.output<S>> {
  return def as CheckDef<z.output<S>>;
}

/** zod issues of a check's `with:` as one line each: `with.pattern: expected string`. */
export function describeArgIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = ['with', ...issue.path.map(String)].join('.');
    return `${where}: ${issue.message}`;
  });
}

export function passed(rationale: string, extra: Partial<JudgeResult> = {}): JudgeResult {
  return { outcome: 'passed', value: true, rationale, ...extra };
}

export function failed(rationale: string, extra: Partial<JudgeResult> = {}): JudgeResult {
  return { outcome: 'failed', value: false, rationale, ...extra };
}

/** A check that could not decide (missing input, bad argument…): never a pass or a fail. */
export function errored(reason: string): JudgeResult {
  return { outcome: 'error', value: null, rationale: reason, error: reason };
}

/** Quotes user text in a rationale, shortened so a rationale stays readable. */
export function quote(text: string, max = 120): string {
  const oneLine = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return JSON.stringify(oneLine);
}
