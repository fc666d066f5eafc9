// Bundles the three Node entry points (extension, harness, CLI) and the webviews.
// `vscode` stays external: the editor provides it at run time.
import * as esbuild from 'esbuild';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { zodEnglishOnly } from './scripts/build/zod-english-only.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  plugins: [zodEnglishOnly],
};

const builds = [
  { ...node, entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/harness/main.ts'], outfile: 'dist/harness.js' },
  // Features loaded on their first command (src/extension/lazyFeature.ts).
  ...['refine', 'labeling', 'dashboard', 'runDiff', 'assist', 'init'].map((feature) => ({
    ...node, entryPoints: [`src/extension/${feature}/index.ts`], outfile: `dist/features/${feature}.js`, external: ['vscode'],
  })),
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];

// Webviews: one bundle per folder under webview-ui/ that has a main.ts.
for (const view of ['trace-viewer', 'labeling', 'dashboard']) {
  if (existsSync(`webview-ui/${view}/main.ts`)) {
    builds.push({ bundle: true, platform: 'browser', target: 'es2022', format: 'iife', minify: production, sourcemap: !production,
      entryPoints: [`webview-ui/${view}/main.ts`], outfile: `dist/webview/${view}.js`, logLevel: 'warning',
      // Fonts imported by a webview's CSS (codicons) are copied next to the bundle.
      loader: { '.ttf': 'file' }, assetNames: '[name]-[hash]', plugins: [zodEnglishOnly] });
  }
}

mkdirSync('dist', { recursive: true });
const present = builds.filter((b) => existsSync(b.entryPoints[0]));
if (watch) {
  for (const b of present) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(present.map((b) => esbuild.build(b)));
  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
}
