// esbuild plugin: zod 4 re-exports all of its ~50 message locales from one index module, and
// the `z` namespace keeps every one of them alive in a bundle (≈ 250 KB minified, parsed on
// every activation). coSTAR's messages are English: point zod's locale index at English only.
import { createRequire } from 'node:module';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const englishOnly = path.join(path.dirname(require.resolve('zod/package.json')), 'v4', 'locales', 'en.js');

export const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: path.join(path.dirname(englishOnly), 'costar-en-index.js'), namespace: 'zod-en' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-en' }, () => ({
      contents: `export { default as en } from ${JSON.stringify(englishOnly)};`,
      resolveDir: path.dirname(englishOnly),
      loader: 'js',
    }));
  },
};
