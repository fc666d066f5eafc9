import { z } from 'zod';
import { isToolSpan } from '../metrics';
import { defineCheck, failed, passed, quote } from './check';

/** At most `max` tool calls may fail (status ERROR); the failing calls are cited. */
export const maxToolErrors = defineCheck({
  id: 'max-tool-errors',
  description: 'At most `max` tool calls end in error (with: max, default 0).',
  args: z.strictObject({ max: z.number().int().min(0).default(0) }),
  async run(ctx, args) {
    const tools = ctx.trace.spans.filter(isToolSpan);
    const errors = tools.filter((s) => s.status.code === 'ERROR');
    const listed = errors
      .slice(0, 5)
      .map((s) => `${s.toolName ?? s.name} (span ${s.spanId})${s.status.message ? `: ${quote(s.status.message, 80)}` : ''}`)
      .join('; ');
    const more = errors.length > 5 ? ` (+${errors.length - 5} more)` : '';
    const spanIds = errors.map((s) => s.spanId);
    if (errors.length > args.max) {
      return failed(`${errors.length} of ${tools.length} tool calls failed, more than the ${args.max} allowed: ${listed}${more}`, { value: errors.length, spanIds });
    }
    const detail = errors.length > 0 ? `: ${listed}${more}` : '';
    return passed(`${errors.length} of ${tools.length} tool calls failed (at most ${args.max} allowed)${detail}`, { value: errors.length, spanIds });
  },
});
