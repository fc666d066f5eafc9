/** Writes schemas/*.json from the zod schemas: `npm run schemas`. Commit the result. */
import * as path from 'node:path';
import { generateJsonSchemas } from '../src/core/scenario/jsonSchemas';
import { writeFileAtomicSync } from '../src/core/util/atomicWrite';

const outDir = path.join(import.meta.dirname, '..', 'schemas');
for (const { name, text } of generateJsonSchemas()) {
  writeFileAtomicSync(path.join(outDir, name), text);
  console.log(`wrote schemas/${name}`);
}
