/**
 * Writes what is generated from the zod schemas: schemas/*.json, and package.json's
 * `languageModelTools` (from the assistant tool catalog). `npm run schemas`; commit the result.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { languageModelToolContributions } from '../src/core/assist/toolContributions';
import { generateJsonSchemas } from '../src/core/scenario/jsonSchemas';
import { writeFileAtomicSync } from '../src/core/util/atomicWrite';

const root = path.join(import.meta.dirname, '..');
for (const { name, text } of generateJsonSchemas()) {
  writeFileAtomicSync(path.join(root, 'schemas', name), text);
  console.log(`wrote schemas/${name}`);
}
const packageFile = path.join(root, 'package.json');
const manifest = JSON.parse(readFileSync(packageFile, 'utf8'));
manifest.contributes.languageModelTools = languageModelToolContributions();
writeFileAtomicSync(packageFile, `${JSON.stringify(manifest, null, 2)}\n`);
console.log('wrote package.json contributes.languageModelTools');
