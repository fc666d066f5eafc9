import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateJsonSchemas } from '../../src/core/scenario/jsonSchemas';
import { languageModelToolContributions } from '../../src/core/assist/toolContributions';

const SCHEMAS = path.join(import.meta.dirname, '../../schemas');

test('the committed JSON Schemas match the zod schemas (run `npm run schemas` after changing schema.ts)', () => {
  const generated = generateJsonSchemas();
  assert.deepEqual(generated.map((s) => s.name), ['costar.schema.json', 'scenario.schema.json']);
  for (const { name, text } of generated) {
    const committed = readFileSync(path.join(SCHEMAS, name), 'utf8');
    assert.equal(committed, text, `schemas/${name} is stale: run \`npm run schemas\` and commit the result`);
  }
});

test('the schemas describe what users write: durations as text or seconds, unknown keys refused', () => {
  const [costar, scenario] = generateJsonSchemas().map((s) => JSON.parse(s.text));
  assert.equal(costar.additionalProperties, false);
  assert.deepEqual(costar.properties.defaults.properties.timeout.type ?? costar.properties.defaults.properties.timeout.anyOf.map((b: { type: string }) => b.type), ['string', 'number']);
  const item = scenario.properties.scenarios.items;
  assert.deepEqual(item.required, ['id', 'prompt']);
  assert.equal(item.additionalProperties, false);
});

test("package.json's languageModelTools are the assistant tool catalog's (run `npm run schemas` when this fails)", () => {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  assert.deepEqual(manifest.contributes.languageModelTools, languageModelToolContributions());
});
