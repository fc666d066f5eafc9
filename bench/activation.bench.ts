/**
 * Activation cost: the time to load dist/extension.js and run `activate()` — our work only.
 * VS Code's API is replaced by an inert stand-in (every member is a no-op that returns another
 * stand-in), so what is measured is our bundle's evaluation and our activation code, which is
 * what the < 50 ms goal is about. Run after `npm run build`.
 */
import Module from 'node:module';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';

function inert(): unknown {
  const target = function () {};
  return new Proxy(target, {
    get: (_t, key) => (key === 'then' ? undefined : key === Symbol.iterator ? function* () {} : key === Symbol.toPrimitive ? () => '' : inert()),
    apply: () => inert(),
    construct: () => inert() as object,
    // Assignments (item.name = …) are accepted and forgotten.
    set: () => true,
    defineProperty: () => true,
  });
}

// The bundle copies the module's own names (esbuild's ES-module interop), so the stand-in must
// list every top-level name of the real API: read them from its type declarations.
const declarations = readFileSync(require.resolve('@types/vscode/index.d.ts'), 'utf8');
const names = [...new Set([...declarations.matchAll(/^\t(?:export )?(?:namespace|class|enum|function|const|let) (\w+)/gm)].map((m) => m[1]!))];
const vscode = Object.fromEntries(names.map((name) => [name, inert()]));
const load = (Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown })._load;
(Module as unknown as { _load: typeof load })._load = (request, ...rest) => (request === 'vscode' ? vscode : load(request, ...rest));

const bundle = path.join(__dirname, '..', 'dist', 'extension.js');
console.log(`stand-in for ${names.length} top-level names of the vscode API`);
const context = { extension: { packageJSON: require('../package.json') }, subscriptions: [] as unknown[], extensionUri: inert(), secrets: inert(), asAbsolutePath: (p: string) => path.join(__dirname, '..', p) };

// CPU time beside wall time: on a shared, loaded machine the wall time mostly measures the
// wait for a core, the CPU time what loading and activating cost.
const c0 = process.cpuUsage();
const t0 = performance.now();
const extension = require(bundle) as { activate(context: unknown): unknown };
const t1 = performance.now();
const c1 = process.cpuUsage(c0);
extension.activate(context);
const t2 = performance.now();
const c2 = process.cpuUsage(c0);
const cpuMs = (c: NodeJS.CpuUsage) => ((c.user + c.system) / 1000).toFixed(1);

console.log('extension activation (Node, inert VS Code API)');
console.table([
  { step: 'load dist/extension.js', ms: (t1 - t0).toFixed(1), 'cpu ms': cpuMs(c1) },
  { step: 'activate()', ms: (t2 - t1).toFixed(1), 'cpu ms': (Number(cpuMs(c2)) - Number(cpuMs(c1))).toFixed(1) },
  { step: 'total', ms: (t2 - t0).toFixed(1), 'cpu ms': cpuMs(c2), goal: '< 50 ms' },
]);
// The shared vendor bundles (scripts/build/vendor.mjs) that activation required.
const vendorDir = path.join(__dirname, '..', 'dist', 'vendor') + path.sep;
console.log(`vendor bundles loaded: ${Object.keys(require.cache).filter((f) => f.startsWith(vendorDir)).map((f) => path.relative(vendorDir, f)).join(', ') || 'none'}`);
setTimeout(() => process.exit(0), 50).unref();
