import * as path from 'node:path';
import type { default as AjvClass, ValidateFunction } from 'ajv';
import { z } from 'zod';
import { readJudgeInput } from '../snapshot';
import { defineCheck, errored, failed, passed } from './check';
import { readTarget, TextTargetArgs } from './traceText';
import type { Span } from '../../trace/model';

/** Created on first use: the editor loads this module for judge ids, and Ajv is costly to start. */
let ajv: AjvClass | undefined;
/** Compiled validators by schema text: re-scoring 1,000 traces compiles each schema once. */
const compiled = new Map<string, ValidateFunction>();

async function validatorFor(schema: object): Promise<ValidateFunction> {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    if (!ajv) {
      const { default: Ajv } = await import('ajv');
      ajv = new Ajv({ allErrors: true, strict: false });
    }
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

/** A JSON artifact, the final output or a span's output must satisfy a JSON Schema. */
export const jsonSchema = defineCheck({
  id: 'json-schema',
  description: 'JSON in an artifact, a span output (span: name) or the final output satisfies a JSON Schema (with: schema | schemaFile).',
  args: z
    .strictObject({
      schema: z.record(z.string(), z.unknown()).optional(),
      schemaFile: z.string().min(1).optional().meta({ description: 'Path of a JSON Schema file, relative to the workspace root.' }),
      span: z.string().min(1).optional().meta({ description: "Name of the span whose output is checked (the last one with this name)." }),
      ...TextTargetArgs,
    })
    .refine((a) => (a.schema === undefined) !== (a.schemaFile === undefined), 'give exactly one of schema (inline) or schemaFile (a path)'),
  async run(ctx, args) {
    let schema: object;
    if (args.schema) schema = args.schema;
    else {
      const file = path.resolve(ctx.workspaceDir, args.schemaFile!);
      const read = await readJudgeInput(ctx.snapshot, file);
      if ('error' in read) return errored(`with.schemaFile: cannot read ${args.schemaFile}: ${read.error}`);
      try {
        schema = JSON.parse(read.text) as object;
      } catch (error) {
        return errored(`with.schemaFile: cannot read ${args.schemaFile} as JSON: ${(error as Error).message}`);
      }
    }
    let validate: ValidateFunction;
    try {
      validate = await validatorFor(schema);
    } catch (error) {
      return errored(`the JSON Schema is invalid: ${(error as Error).message}`);
    }

    let label: string;
    let data: unknown;
    let spanIds: string[] = [];
    if (args.span !== undefined) {
      const span = lastSpanNamed(ctx.trace.spans, args.span);
      if (!span) return failed(`no span named ${JSON.stringify(args.span)} in the trace`);
      label = `the output of span ${span.name} (${span.spanId})`;
      spanIds = [span.spanId];
      data = span.outputs;
      if (typeof data === 'string') {
        const parsed = parseJson(data);
        if ('error' in parsed) return failed(`${label} is not JSON: ${parsed.error}`, { spanIds });
        data = parsed.value;
      }
    } else {
      const target = await readTarget(ctx, args);
      if ('missing' in target) return errored(target.missing);
      label = target.label;
      spanIds = target.spanIds;
      const parsed = parseJson(target.text);
      if ('error' in parsed) return failed(`${label} is not JSON: ${parsed.error}`, { spanIds });
      data = parsed.value;
    }
    if (validate(data)) return passed(`${label} satisfies the schema`, { spanIds });
    const problems = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
    const more = (validate.errors?.length ?? 0) > 5 ? ` (+${validate.errors!.length - 5} more)` : '';
    return failed(`${label} violates the schema: ${problems.join('; ')}${more}`, { spanIds });
  },
});

function lastSpanNamed(spans: Span[], name: string): Span | undefined {
  let found: Span | undefined;
  for (const span of spans) {
    if (span.name === name && (!found || BigInt(span.startTimeUnixNano) >= BigInt(found.startTimeUnixNano))) found = span;
  }
  return found;
}

function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
