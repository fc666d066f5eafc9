// One copy of each runtime dependency in the packaged extension.
//
// The extension, its lazily loaded features, the harness and the CLI are separate CommonJS
// bundles (the extension host loads a CJS `main` and hands out `vscode` only through require,
// so esbuild's code splitting, which needs ESM, is not an option). Bundled the plain way, each
// of them carried its own zod, yaml, openai, ajv… Instead every package in package.json's
// `dependencies` (and the few that several of them share) is built once into
// dist/vendor/<package>.js, and the other bundles reach it through a one-line shim,
// `module.exports = require('<relative>/vendor/zod.js')["zod"]`. The shim is an ordinary CommonJS module inside the importing bundle, so a module that is
// imported lazily (await import('./x')) still requires the vendor file only when it first
// runs: what activation loads is decided by the import graph, as before.
//
// A vendor bundle requires the other vendor bundles the same way (the MCP SDK uses the one
// zod and the one ajv). A package installed in a nested, different version (protobufjs 7
// under @grpc/proto-loader) is another package: it stays inside the bundle that needs it.
// test/unit/build-vendor.test.ts checks the result: every installed package in one output.
import { readFileSync, realpathSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const dependencies = Object.keys(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).dependencies ?? {});

/**
 * The import paths of each package that coSTAR's bundles (and the vendor bundles themselves)
 * use; a package's own name unless listed. An import of another subpath fails the build with
 * a message saying to add it here, so nothing is bundled twice by accident.
 */
const ENTRY_POINTS = {
  // zod/v3 and ajv's code generator: for the MCP SDK (zod-compat, ajv-formats).
  zod: ['zod', 'zod/v4', 'zod/mini', 'zod/v4-mini', 'zod/v3'],
  ajv: ['ajv', 'ajv/dist/compile/codegen'],
  '@modelcontextprotocol/sdk': [
    '@modelcontextprotocol/sdk/server/index.js',
    '@modelcontextprotocol/sdk/server/stdio.js',
    '@modelcontextprotocol/sdk/types.js',
  ],
};

/** Packages that more than one vendor bundle uses (protobufjs 8 and grpc-js's protobufjs 7 both use long). */
const SHARED_TRANSITIVE = ['long'];

export const VENDOR_DIR = 'dist/vendor';
export const vendorPackages = [...dependencies, ...SHARED_TRANSITIVE];
const entryPointsOf = (pkg) => ENTRY_POINTS[pkg] ?? [pkg];
const chunkOf = (pkg) => path.join(root, VENDOR_DIR, `${pkg}.js`);
/** Where the top-level install of a package really is (node_modules may be a symlink). */
const installDir = (pkg) => realpathSync(path.join(root, 'node_modules', pkg));

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * esbuild plugin for a bundle written to `outfile`: imports of a vendor package become shims
 * that require its vendor bundle. `self` is the package a vendor bundle is built from.
 */
export function sharedVendor(outfile, self) {
  const fromDir = path.dirname(path.resolve(root, outfile));
  return {
    name: 'shared-vendor',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData?.sharedVendorProbe) return undefined;
        const pkg = packageOf(args.path);
        if (!vendorPackages.includes(pkg) || pkg === self) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { sharedVendorProbe: true } });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        // Only the top-level install is shared; a nested copy is a different version.
        if (!realpathSync(resolved.path).startsWith(installDir(pkg) + path.sep)) return undefined;
        if (!entryPointsOf(pkg).includes(args.path)) {
          return { errors: [{ text: `"${args.path}" is not a declared entry point of the shared vendor bundle of ${pkg}: add it to ENTRY_POINTS in scripts/build/vendor.mjs` }] };
        }
        return { path: args.path, namespace: 'shared-vendor' };
      });
      build.onLoad({ filter: /.*/, namespace: 'shared-vendor' }, (args) => {
        const chunk = path.relative(fromDir, chunkOf(packageOf(args.path))).split(path.sep).join('/');
        return { contents: `module.exports = require(${JSON.stringify(chunk.startsWith('.') ? chunk : `./${chunk}`)})[${JSON.stringify(args.path)}];`, loader: 'js', resolveDir: fromDir };
      });
      build.onResolve({ filter: /.*/, namespace: 'shared-vendor' }, (args) => ({ path: args.path, external: true }));
    },
  };
}

/**
 * The vendor bundles, built from `node` (the shared options of the Node bundles). Each exports
 * its entry points by import path; they are required lazily, so a bundle that needs one
 * subpath of a package does not run the others.
 */
export function vendorBuilds(node) {
  return vendorPackages.map((pkg) => {
    const outfile = `${VENDOR_DIR}/${pkg}.js`;
    const getters = entryPointsOf(pkg).map((spec) => `  get ${JSON.stringify(spec)}() { return require(${JSON.stringify(spec)}); },`);
    return {
      ...node,
      stdin: { contents: `module.exports = {\n${getters.join('\n')}\n};\n`, resolveDir: root, sourcefile: `vendor:${pkg}`, loader: 'js' },
      outfile,
      plugins: [...(node.plugins ?? []), sharedVendor(outfile, pkg)],
    };
  });
}
