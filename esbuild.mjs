// Bundles the Node entry points (extension, its lazily loaded features, harness, the trace viewer's
// worker thread, CLI), one shared bundle per runtime dependency (scripts/build/vendor.mjs), and the webviews.
// `vscode` stays external: the editor provides it at run time.
// `--report` prints each bundle's size and the packages in it.
import * as esbuild from 'esbuild';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { zodEnglishOnly } from './scripts/build/zod-english-only.mjs';
import { sharedVendor, vendorBuilds } from './scripts/build/vendor.mjs';
import { formatReport } from './scripts/build/bundle-contents.mjs';

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

/** A Node bundle whose vendor packages come from dist/vendor/. */
const nodeBundle = (entry, outfile, extra = {}) =>
  ({ ...node, entryPoints: [entry], outfile, plugins: [...node.plugins, sharedVendor(outfile)], ...extra });

export const builds = [
  nodeBundle('src/extension/main.ts', 'dist/extension.js', { external: ['vscode'] }),
  nodeBundle('src/harness/main.ts', 'dist/harness.js'),
  // The trace viewer's worker thread (one per open trace): its own file, loaded by path at run time.
  nodeBundle('src/extension/traceViewer/traceWorker.ts', 'dist/traceWorker.js'),
  // Features loaded on their first command (src/extension/lazyFeature.ts).
  ...['refine', 'labeling', 'dashboard', 'runDiff', 'assist', 'init'].map((feature) =>
    nodeBundle(`src/extension/${feature}/index.ts`, `dist/features/${feature}.js`, { external: ['vscode'] })),
  nodeBundle('src/cli/main.ts', 'dist/cli.js', { banner: { js: '#!/usr/bin/env node' } }),
  ...vendorBuilds(node),
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

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const watch = process.argv.includes('--watch');
  const report = process.argv.includes('--report');
  mkdirSync('dist', { recursive: true });
  const present = builds.filter((b) => b.stdin || existsSync(b.entryPoints[0]));
  if (watch) {
    for (const b of present) await (await esbuild.context(b)).watch();
  } else {
    const results = await Promise.all(present.map((b) => esbuild.build({ ...b, metafile: report })));
    if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
    if (report) console.log(formatReport(results.map((r) => r.metafile)));
  }
}
