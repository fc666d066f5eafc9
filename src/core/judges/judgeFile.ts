/**
 * The schema of `judges/*.judge.yaml`: one judge per file.
 *
 *   id: helpful-answer
 *   kind: llm                 # check | llm | agentic | metric | module
 *   version: 2                # part of the verdict and of the model-cache key
 *   instructions: |
 *     Does {{ outputs }} answer {{ inputs }}? {{ expectations }}
 *   value: yes/no             # bool | yes/no | {type: number, min, max} | {type: categorical, categories}
 *   pass: yes                 # the value(s) that pass (see ValuePass)
 *
 * `kind: check` wraps a built-in check with default arguments (`check: regex`, `with: {...}`);
 * `kind: module` names a JS file (`module: judges/my-check.mjs`); `kind: metric` gates an
 * operational metric (`metric: totalTokens`, `pass: {max: 20000}`). Instructions that use
 * `{{ trace }}` make an `llm` judge agentic.
 */
import { z } from 'zod';
import { Duration } from '../util/duration';
import { METRIC_NAMES } from './metrics';

const Identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected an id of letters, digits, ".", "_" or "-" (starting with a letter or digit)');

export const ValueType = z.union([
  z.literal('bool'),
  z.literal('yes/no'),
  z
    .strictObject({ type: z.literal('number'), min: z.number(), max: z.number() })
    .refine((v) => v.min < v.max, 'expected min < max'),
  z.strictObject({ type: z.literal('categorical'), categories: z.array(z.string().min(1)).min(2, 'expected at least two categories') }),
]);
export type ValueType = z.output<typeof ValueType>;

/** Which values pass: a boolean for bool, yes|no for yes/no, {min, max} for numbers, a list of categories. */
export const ValuePass = z.union([
  z.boolean(),
  z.enum(['yes', 'no']),
  z.strictObject({ min: z.number().optional(), max: z.number().optional() }).refine((r) => r.min !== undefined || r.max !== undefined, 'expected min, max or both'),
  z.array(z.string().min(1)).min(1),
]);
export type ValuePass = z.output<typeof ValuePass>;

export const JudgeKind = z.enum(['check', 'llm', 'agentic', 'metric', 'module']);
export type JudgeKind = z.output<typeof JudgeKind>;

export const JudgeFile = z
  .strictObject({
    id: Identifier,
    kind: JudgeKind,
    description: z.string().optional(),
    version: z.union([z.string().min(1), z.number()]).transform(String).default('1').meta({ description: 'Bump when the judge changes: it is recorded in verdicts and keys the model cache.' }),
    instructions: z.string().min(1).optional().meta({ description: 'For llm/agentic judges. Template variables: {{ inputs }}, {{ outputs }}, {{ expectations }}, {{ trace }}.' }),
    value: ValueType.default('bool'),
    pass: ValuePass.optional(),
    model: z.string().min(1).optional().meta({ description: 'Model name for this judge (default: the workspace model).' }),
    check: z.string().min(1).optional().meta({ description: 'For kind check: the built-in check id.' }),
    module: z.string().min(1).optional().meta({ description: 'For kind module: path of the JS module, relative to the workspace root.' }),
    export: z.string().min(1).optional().meta({ description: 'For kind module: the exported function (default: default).' }),
    metric: z.enum(METRIC_NAMES).optional().meta({ description: 'For kind metric: the operational metric.' }),
    with: z.record(z.string(), z.unknown()).default({}).meta({ description: 'Default arguments; an expectation\'s with: overrides them key by key.' }),
    timeout: Duration.optional().meta({ description: 'How long one verdict of this judge may take (default: 30s for checks, modules and metrics, 2m for llm, 5m for agentic judges); an expectation\'s timeout wins. Exceeding it is an error verdict.' }),
    maxSteps: z.number().int().min(1).max(200).default(30).meta({ description: 'Agentic judges: most model calls in one session.' }),
    maxTokens: z.number().int().min(1000).default(200_000).meta({ description: 'Agentic judges: token budget of one session (input + output, all steps).' }),
    contextTokens: z.number().int().min(1000).default(32_000).meta({ description: 'Agentic judges: oldest tool results are pruned when the prompt would exceed this.' }),
  })
  .superRefine((judge, ctx) => {
    const need = (key: 'instructions' | 'check' | 'module' | 'metric', why: string) => {
      if (judge[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `missing required key "${key}" (${why})` });
    };
    if (judge.kind === 'llm' || judge.kind === 'agentic') need('instructions', `a ${judge.kind} judge needs instructions for the model`);
    if (judge.kind === 'check') need('check', 'the id of a built-in check, e.g. regex');
    if (judge.kind === 'module') need('module', 'the path of a JS file exporting a judge function');
    if (judge.kind === 'metric') need('metric', `one of ${METRIC_NAMES.join(', ')}`);
    const passProblem = judge.pass === undefined ? defaultPassProblem(judge.value, judge.kind) : passMismatch(judge.value, judge.pass);
    if (passProblem) ctx.addIssue({ code: 'custom', path: ['pass'], message: passProblem });
  });
export type JudgeFileDef = z.output<typeof JudgeFile>;

function defaultPassProblem(value: ValueType, kind: JudgeKind): string | undefined {
  if (typeof value === 'string' || kind === 'metric' || kind === 'check' || kind === 'module') return undefined;
  return value.type === 'number'
    ? `a number judge needs a pass rule, e.g. pass: {min: ${value.max}}`
    : `a categorical judge needs the passing categories, e.g. pass: [${value.categories[0]}]`;
}

function passMismatch(value: ValueType, pass: ValuePass): string | undefined {
  if (value === 'bool' && typeof pass !== 'boolean') return 'for value bool, expected pass: true or pass: false';
  if (value === 'yes/no' && pass !== 'yes' && pass !== 'no') return 'for value yes/no, expected pass: yes or pass: no';
  if (typeof value === 'object' && value.type === 'number' && (typeof pass !== 'object' || Array.isArray(pass))) return 'for a number value, expected pass: {min: n} and/or {max: n}';
  if (typeof value === 'object' && value.type === 'categorical') {
    if (!Array.isArray(pass)) return 'for a categorical value, expected pass: a list of categories';
    const unknown = pass.filter((c) => !value.categories.includes(c));
    if (unknown.length > 0) return `${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not among the categories ${value.categories.join(', ')}`;
  }
  return undefined;
}

/** Whether a judge value passes its rule (defaults: bool → true, yes/no → yes; a metric without rule never gates). */
export function valuePasses(value: ValueType, pass: ValuePass | undefined, actual: unknown): boolean {
  if (value === 'bool') return actual === (pass ?? true);
  if (value === 'yes/no') return actual === (pass ?? 'yes');
  if (value.type === 'categorical') return Array.isArray(pass) && pass.includes(actual as string);
  if (typeof actual !== 'number') return false;
  if (pass === undefined) return true;
  const range = pass as { min?: number; max?: number };
  return (range.min === undefined || actual >= range.min) && (range.max === undefined || actual <= range.max);
}

export function describePass(value: ValueType, pass: ValuePass | undefined): string {
  if (value === 'bool') return `passes when ${String(pass ?? true)}`;
  if (value === 'yes/no') return `passes when ${String(pass ?? 'yes')}`;
  if (Array.isArray(pass)) return `passes when one of ${pass.join(', ')}`;
  if (pass === undefined) return 'informational (no pass rule)';
  const range = pass as { min?: number; max?: number };
  return `passes when ${[range.min !== undefined ? `≥ ${range.min}` : '', range.max !== undefined ? `≤ ${range.max}` : ''].filter(Boolean).join(' and ')}`;
}
