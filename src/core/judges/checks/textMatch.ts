import { z } from 'zod';
import { defineCheck, errored, failed, passed, quote } from './check';
import { compileRegex, ScanBudget } from '../../util/safeRegex';
import type { JudgeContext } from '../types';
import { outputEvidence } from './evidence';
import { lineOf, readTarget, TextTargetArgs, type TextLookup, type TextSource } from './traceText';

/**
 * The spans to cite for a text `fragment` found (or missing) in the target: in the final
 * output, the span that produced the fragment; otherwise the target's own evidence.
 */
function cite(ctx: JudgeContext, args: { artifact?: string; in?: TextSource }, target: TextLookup, fragment?: string): { spanIds: string[] } {
  const inOutput = args.artifact === undefined && (args.in ?? 'output') === 'output';
  return { spanIds: inOutput && fragment ? outputEvidence(ctx.trace, fragment) : target.spanIds };
}

/** Substrings must (or, with `not: true`, must not) appear in the final output, stdout/stderr or an artifact. */
export const contains = defineCheck({
  id: 'contains',
  description: 'The text contains (or with not: true, lacks) the given strings (with: text, artifact | in, ignoreCase, not).',
  args: z.strictObject({
    text: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    ...TextTargetArgs,
    ignoreCase: z.boolean().default(false),
    not: z.boolean().default(false),
  }),
  async run(ctx, args) {
    const target = await readTarget(ctx, args);
    if ('missing' in target) return errored(target.missing);
    const needles = typeof args.text === 'string' ? [args.text] : args.text;
    const haystack = args.ignoreCase ? target.text.toLowerCase() : target.text;
    const found = needles.map((n) => ({ needle: n, at: haystack.indexOf(args.ignoreCase ? n.toLowerCase() : n) }));
    if (args.not) {
      const present = found.filter((f) => f.at >= 0);
      if (present.length > 0) {
        const first = present[0]!;
        return failed(`${target.label} contains ${present.map((p) => `${quote(p.needle)} (line ${lineOf(target.text, p.at)})`).join(', ')}, which must not appear`,
          cite(ctx, args, target, target.text.slice(first.at, first.at + first.needle.length)));
      }
      return passed(`${target.label} contains none of ${needles.map((n) => quote(n)).join(', ')}`, cite(ctx, args, target));
    }
    const absent = found.filter((f) => f.at < 0);
    if (absent.length > 0) {
      return failed(`${target.label} does not contain ${absent.map((a) => quote(a.needle)).join(', ')}; it starts with ${quote(target.text, 200)}`, cite(ctx, args, target));
    }
    const first = found[0]!;
    return passed(`${target.label} contains ${found.map((f) => `${quote(f.needle)} (line ${lineOf(target.text, f.at)})`).join(', ')}`,
      cite(ctx, args, target, target.text.slice(first.at, first.at + first.needle.length)));
  },
});

/**
 * A regular expression must (or, with `not: true`, must not) match. Patterns run on RE2
 * (linear time, see util/safeRegex.ts); a text longer than the scan limit is cut, and then only
 * a match found in the part that was read decides — "no match" in a cut text is an error.
 */
export const regex = defineCheck({
  id: 'regex',
  description: 'A regular expression (RE2 syntax) matches (or with not: true, does not match) the text (with: pattern, flags, artifact | in, not).',
  args: z.strictObject({
    pattern: z.string().min(1),
    flags: z.string().regex(/^[dgimsu]*$/, 'expected regex flags among i, m, s (u, g and d are accepted and change nothing); y and v are not supported').default(''),
    ...TextTargetArgs,
    not: z.boolean().default(false),
  }),
  async run(ctx, args) {
    const compiled = compileRegex(args.pattern, args.flags);
    if (!compiled.ok) return errored(`with.pattern: ${compiled.reason}`);
    const target = await readTarget(ctx, args);
    if ('missing' in target) return errored(target.missing);
    const budget = new ScanBudget();
    const match = compiled.regex.exec(budget.take(target.text));
    const shown = `/${args.pattern}/${args.flags}`;
    if (!match && budget.cut) {
      return errored(`${target.label} is ${target.text.length.toLocaleString('en')} characters long and ${budget.describe()}; no match for ${shown} in the part that was read, so the check cannot decide — check a smaller artifact or a narrower target`);
    }
    if (args.not) {
      if (match) return failed(`${target.label} matches ${shown} at line ${lineOf(target.text, match.index)}: ${quote(match.text)}, which must not appear`, cite(ctx, args, target, match.text));
      return passed(`${target.label} has no match for ${shown}`, cite(ctx, args, target));
    }
    if (!match) return failed(`${target.label} has no match for ${shown}; it starts with ${quote(target.text, 200)}`, cite(ctx, args, target));
    return passed(`${target.label} matches ${shown} at line ${lineOf(target.text, match.index)}: ${quote(match.text)}`, cite(ctx, args, target, match.text));
  },
});
