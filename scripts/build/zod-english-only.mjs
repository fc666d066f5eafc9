// esbuild plugin: zod 4 re-exports all of its ~50 message locales from one index module, and
// the `z` namespace keeps every one of them alive in a bundle (≈ 250 KB minified, parsed on
// every activation). coSTAR's messages are English: point zod's locale index at English only,
// in zod's ES-module build (webviews) and in its CommonJS build (dist/vendor/zod.js).
import { createRequire } from 'node:module';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const locales = path.join(path.dirname(require.resolve('zod/package.json')), 'v4', 'locales');

export const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.c?js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: path.join(locales, `costar-en-index${path.extname(args.path)}`), namespace: 'zod-en' } : undefined,
    );
    build.onLoad({ filter: /\.js$/, namespace: 'zod-en' }, () => ({
      contents: `export { default as en } from ${JSON.stringify(path.join(locales, 'en.js'))};`,
      resolveDir: locales,
      loader: 'js',
    }));
    build.onLoad({ filter: /\.cjs$/, namespace: 'zod-en' }, () => ({
      contents: `exports.en = require(${JSON.stringify(path.join(locales, 'en.cjs'))}).default;`,
      resolveDir: locales,
      loader: 'js',
    }));
  },
};
