import { z } from 'zod';
import { isToolSpan } from '../metrics';
import { nanosToMs, type Span, type Trace } from '../../trace/model';
import { defineCheck, failed, passed } from './check';

const Rule = z.union([
  z.strictObject({ before: z.string().min(1), then: z.string().min(1) }).meta({ description: 'Every `then` call needs an earlier `before` call.' }),
  z.strictObject({ forbid: z.string().min(1) }).meta({ description: 'The tool must never be called.' }),
  z.strictObject({ require: z.string().min(1) }).meta({ description: 'The tool must be called at least once.' }),
]);
type Rule = z.infer<typeof Rule>;

/**
 * Ordered rules over the tool calls of a trace ("read_file before write_file", "no edit before
 * reading the logs"). Tool names may use `*` as a wildcard. Failing rules cite the offending spans.
 */
export const toolSequence = defineCheck({
  id: 'tool-sequence',
  description: 'Rules over the order of tool calls: {before, then}, {forbid}, {require} (with: rules).',
  args: z.strictObject({ rules: z.array(Rule).min(1) }),
  async run(ctx, args) {
    const calls = toolCalls(ctx.trace);
    const t0 = ctx.trace.spans.reduce((min, s) => (BigInt(s.startTimeUnixNano) < min ? BigInt(s.startTimeUnixNano) : min), BigInt(calls[0]?.startTimeUnixNano ?? 0));
    const at = (s: Span) => `${toolOf(s)} (span ${s.spanId} at +${Math.round(nanosToMs((BigInt(s.startTimeUnixNano) - t0).toString()))}ms)`;
    const violations: string[] = [];
    const held: string[] = [];
    const cited = new Set<string>();
    for (const rule of args.rules) {
      const result = checkRule(rule, calls);
      if (result.offending.length === 0 && result.ok) {
        held.push(result.label);
        continue;
      }
      result.offending.forEach((s) => cited.add(s.spanId));
      const shown = result.offending.slice(0, 5).map(at).join(', ');
      const more = result.offending.length > 5 ? ` (+${result.offending.length - 5} more)` : '';
      violations.push(`${result.label} violated: ${result.why}${shown ? ` — ${shown}${more}` : ''}`);
    }
    if (violations.length > 0) return failed(violations.join('; '), { spanIds: [...cited] });
    return passed(`${calls.length} tool calls; all rules held: ${held.join('; ')}`);
  },
});

function toolCalls(trace: Trace): Span[] {
  return trace.spans
    .filter(isToolSpan)
    .sort((a, b) => {
      const d = BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano);
      return d < 0n ? -1 : d > 0n ? 1 : 0;
    });
}

function toolOf(span: Span): string {
  return span.toolName ?? span.name;
}

const patterns = new Map<string, RegExp>();
function matches(pattern: string, span: Span): boolean {
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    patterns.set(pattern, re);
  }
  return re.test(toolOf(span));
}

function checkRule(rule: Rule, calls: Span[]): { label: string; ok: boolean; why: string; offending: Span[] } {
  if ('forbid' in rule) {
    const offending = calls.filter((s) => matches(rule.forbid, s));
    return { label: `never ${rule.forbid}`, ok: offending.length === 0, why: `${rule.forbid} was called ${offending.length} times`, offending };
  }
  if ('require' in rule) {
    const ok = calls.some((s) => matches(rule.require, s));
    return { label: `${rule.require} is called`, ok, why: `${rule.require} was never called`, offending: [] };
  }
  const firstBefore = calls.findIndex((s) => matches(rule.before, s));
  const offending = calls.filter((s, i) => matches(rule.then, s) && (firstBefore === -1 || i < firstBefore));
  const why = firstBefore === -1 ? `${rule.then} was called but ${rule.before} never was` : `${rule.then} was called before the first ${rule.before}`;
  return { label: `${rule.before} before ${rule.then}`, ok: offending.length === 0, why, offending };
}
