/**
 * The packaged extension holds one copy of each installed package (scripts/build/vendor.mjs):
 * esbuild.mjs's own build list is run in memory with metafiles, and the metafiles are read.
 * Also: activation (the static import graph of dist/extension.js) requires no vendor bundle —
 * openai, ajv and zod load on first use — no webview carries zod's full API to check its
 * postMessage traffic (zod/mini), and .vscodeignore keeps every file the build writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { minimatch } from 'minimatch';

type Metafile = esbuild.Metafile;
interface BundleContents {
  bundleContents(metafiles: Metafile[]): Map<string, { bytes: number; packages: Map<string, number> }>;
  packageName(dir: string): string;
  sharedPackagesIn(inputs: Set<string>): Set<string>;
  staticInputs(meta: Metafile, output: string): Set<string>;
}

const REPO = path.join(__dirname, '..', '..');
// The build's own modules (plain JavaScript ES modules), typed here for what the test uses.
const load = <T>(file: string): Promise<T> => import(pathToFileURL(path.join(REPO, file)).href) as Promise<T>;

const built = (async () => {
  const { builds } = await load<{ builds: esbuild.BuildOptions[] }>('esbuild.mjs');
  const { vendorPackages } = await load<{ vendorPackages: string[] }>('scripts/build/vendor.mjs');
  const lib = await load<BundleContents>('scripts/build/bundle-contents.mjs');
  const cwd = process.cwd();
  process.chdir(REPO);
  try {
    const results = await Promise.all(builds.map((b) => esbuild.build({ ...b, write: false, metafile: true, sourcemap: false, logLevel: 'silent' })));
    const metafiles = results.map((r) => r.metafile!);
    return {
      lib,
      vendorPackages,
      all: metafiles,
      node: metafiles.filter((_m, i) => builds[i]!.platform === 'node'),
      webviews: metafiles.filter((_m, i) => builds[i]!.platform === 'browser'),
    };
  } finally {
    process.chdir(cwd);
  }
})();

test('every installed package is in exactly one of the Node bundles; each dependency in its dist/vendor/ bundle', async () => {
  const { lib, node, vendorPackages } = await built;
  const where = new Map<string, string[]>();
  for (const [file, { packages }] of lib.bundleContents(node)) for (const dir of packages.keys()) where.set(dir, [...(where.get(dir) ?? []), file]);
  const twice = [...where].filter(([, files]) => files.length > 1).map(([dir, files]) => `${dir} in ${files.join(', ')}`);
  assert.deepEqual(twice, [], `bundled more than once (add the package to the shared vendor bundles, scripts/build/vendor.mjs):\n${twice.join('\n')}`);
  for (const pkg of vendorPackages) {
    assert.deepEqual(where.get(`node_modules/${pkg}`), [`dist/vendor/${pkg}.js`], `${pkg} is bundled only into dist/vendor/${pkg}.js`);
  }
  // The packages the issue named are among them.
  for (const pkg of ['zod', 'openai', 'yaml', 'ajv', '@modelcontextprotocol/sdk', 'protobufjs', '@grpc/grpc-js']) assert.ok(vendorPackages.includes(pkg), pkg);
});

test('every vendor bundle a shim requires is a file of the build', async () => {
  const { node } = await built;
  const outputs = new Set(node.flatMap((m) => Object.keys(m.outputs)));
  const missing: string[] = [];
  let shims = 0;
  for (const meta of node) {
    for (const [file, output] of Object.entries(meta.outputs)) {
      for (const edge of output.imports) {
        if (!edge.external || !edge.path.startsWith('.')) continue;
        shims++;
        const target = path.posix.join(path.posix.dirname(file), edge.path);
        if (!outputs.has(target)) missing.push(`${file} requires ${edge.path} (${target})`);
      }
    }
  }
  assert.deepEqual(missing, []);
  assert.ok(shims > 20, `${shims} shims checked`);
});

test('activation requires no vendor bundle (openai, ajv, zod… load on first use): not in dist/extension.js, not in its static import graph', async () => {
  const { lib, node } = await built;
  const meta = node.find((m) => m.outputs['dist/extension.js'])!;
  const inFile = [...lib.bundleContents([meta]).get('dist/extension.js')!.packages.keys()].map(lib.packageName);
  assert.deepEqual(inFile, [], 'dist/extension.js bundles no package of its own');
  const graph = lib.staticInputs(meta, 'dist/extension.js');
  assert.ok(graph.has('src/extension/extension.ts') && graph.has('src/extension/testing/runHandler.ts'), 'the static graph is read');
  assert.deepEqual([...lib.sharedPackagesIn(graph)], [], 'vendor packages that activation requires (import them with await import() where they are used)');
});

test('webviews check their messages with zod/mini, not the full zod API', async () => {
  const { lib, webviews } = await built;
  const full: string[] = [];
  for (const meta of webviews) {
    for (const [file, output] of Object.entries(meta.outputs)) {
      for (const input of Object.keys(output.inputs)) if (/node_modules\/zod\/(v4\/classic|v3)\//.test(input)) full.push(`${file}: ${input}`);
    }
  }
  assert.ok(webviews.length >= 3, 'the trace viewer, labeling and dashboard webviews were built');
  assert.deepEqual(full.slice(0, 5), [], `${full.length} modules of zod's full API in webview bundles`);
  // Only the zod/mini functions the schemas use: ≈ 60 KB unminified. `import { z } from
  // 'zod/mini'` (a namespace object esbuild cannot tree-shake) would bring ≈ 350 KB.
  for (const [file, { packages }] of lib.bundleContents(webviews)) {
    const zod = packages.get('node_modules/zod') ?? 0;
    if (file.endsWith('.js')) assert.ok(zod > 0 && zod < 120_000, `${file}: ${zod} bytes of zod`);
  }
});

test('the .vsix keeps every file the build writes (.vscodeignore), source maps aside', async () => {
  const { all } = await built;
  // vsce's reading of .vscodeignore: the last pattern that matches a file decides, `!` keeps it.
  const rules = readFileSync(path.join(REPO, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const packaged = (file: string) => rules.reduce((kept, rule) => {
    const keep = rule.startsWith('!');
    return minimatch(file, keep ? rule.slice(1) : rule, { dot: true }) ? keep : kept;
  }, true);
  const outputs = all.flatMap((m) => Object.keys(m.outputs)).filter((f) => !f.endsWith('.map'));
  assert.ok(outputs.includes('dist/vendor/zod.js') && outputs.includes('dist/extension.js'));
  assert.deepEqual(outputs.filter((f) => !packaged(f)), [], 'built but left out of the .vsix by .vscodeignore');
  assert.ok(!packaged('dist/extension.js.map') && !packaged('src/extension/main.ts'), 'maps and sources stay out');
});
