/**
 * The structured answer model-based judges must give: `{value, rationale}` (agentic judges
 * add `spanIds`), as a JSON Schema for the endpoint's `response_format` and as a zod schema
 * that validates what comes back — a reply that fails it is malformed, retried, then 'error'.
 * MLflow's answer key `result` is taken for `value`.
 */
import { z } from 'zod';
import type { ValueType } from './judgeFile';

export interface JudgeAnswer {
  value: unknown;
  rationale: string;
  spanIds: string[];
}

function valueSchemas(value: ValueType): { json: Record<string, unknown>; zod: z.ZodType } {
  if (value === 'bool') return { json: { type: 'boolean' }, zod: z.boolean() };
  if (value === 'yes/no') return { json: { type: 'string', enum: ['yes', 'no'] }, zod: z.enum(['yes', 'no']) };
  if (value.type === 'number') {
    return { json: { type: 'number', minimum: value.min, maximum: value.max }, zod: z.number().min(value.min).max(value.max) };
  }
  return { json: { type: 'string', enum: value.categories }, zod: z.enum(value.categories as [string, ...string[]]) };
}

export function answerFormat(value: ValueType, withSpans: boolean): { jsonSchema: Record<string, unknown>; parse(text: string | null): JudgeAnswer | { problem: string } } {
  const { json, zod } = valueSchemas(value);
  const properties: Record<string, unknown> = { value: json, rationale: { type: 'string' } };
  if (withSpans) properties.spanIds = { type: 'array', items: { type: 'string' } };
  const jsonSchema = { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
  const schema = z.object({
    value: zod,
    rationale: z.string().min(1, 'expected a non-empty rationale'),
    spanIds: z.array(z.string().regex(/^[0-9a-f]{16}$/, 'expected 16-hex-digit span ids')).optional(),
  });
  return {
    jsonSchema,
    parse(text) {
      if (text === null || text.trim() === '') return { problem: 'the reply has no content; expected a JSON object {value, rationale}' };
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (error) {
        return { problem: `the reply is not JSON (${(error as Error).message}): ${text.slice(0, 120)}` };
      }
      const parsed = schema.safeParse(withMlflowKeys(data));
      if (!parsed.success) return { problem: parsed.error.issues.map((i) => `${i.path.join('.') || 'reply'}: ${i.message}`).join('; ') };
      return { value: parsed.data.value, rationale: parsed.data.rationale, spanIds: parsed.data.spanIds ?? [] };
    },
  };
}

export function describeValueType(value: ValueType): string {
  if (value === 'bool') return 'value: true or false';
  if (value === 'yes/no') return 'value: "yes" or "no"';
  if (value.type === 'number') return `value: a number from ${value.min} to ${value.max}`;
  return `value: one of ${value.categories.map((c) => JSON.stringify(c)).join(', ')}`;
}

/** MLflow's judges answer `{result, rationale}`: a `result` stands for a missing `value`. */
function withMlflowKeys(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  const record = data as Record<string, unknown>;
  if ('value' in record || !('result' in record)) return data;
  const { result, ...rest } = record;
  return { ...rest, value: result };
}
