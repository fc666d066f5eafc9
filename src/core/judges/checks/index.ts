/** The built-in deterministic checks, by id. */
import type { CheckDef } from './check';
import { command } from './command';
import { fileExists } from './fileExists';
import { jsonSchema } from './jsonSchema';
import { maxToolErrors } from './maxToolErrors';
import { moduleCheck } from './moduleCheck';
import { tableSchema } from './tableSchema';
import { contains, regex } from './textMatch';
import { toolSequence } from './toolSequence';

export const BUILTIN_CHECKS: ReadonlyMap<string, CheckDef> = new Map(
  [fileExists, jsonSchema, tableSchema, contains, regex, command, toolSequence, maxToolErrors, moduleCheck].map((c) => [c.id, c as CheckDef]),
);
