/**
 * JSON Schemas of costar.yaml and *.scenario.yaml, generated from the zod schemas so that
 * editor completion/validation and the loader can never disagree. The committed copies in
 * schemas/ are written by scripts/generate-schemas.ts and checked by a unit test.
 */
import { z } from 'zod';
import { ScenarioFile, WorkspaceConfig } from './schema';

export interface GeneratedSchema {
  /** File name under schemas/. */
  name: string;
  text: string;
}

export function generateJsonSchemas(): GeneratedSchema[] {
  return [
    { name: 'costar.schema.json', text: render(WorkspaceConfig) },
    { name: 'scenario.schema.json', text: render(ScenarioFile) },
  ];
}

/**
 * `io: 'input'` describes what users write (defaults optional, durations as text or numbers),
 * not the parsed result. Draft-07 because it is what YAML editor tooling supports best.
 */
function render(schema: z.ZodType): string {
  return `${JSON.stringify(z.toJSONSchema(schema, { io: 'input', target: 'draft-7' }), null, 2)}\n`;
}
