// What each bundle holds, from esbuild metafiles: used by `node esbuild.mjs --report` and by
// test/unit/build-vendor.test.ts (one copy of each package; what activation loads).

/** The installed package an input file belongs to ("node_modules/a/node_modules/b"), or undefined for own code. */
export function packageDirOf(input) {
  const file = input.replace(/^[\w-]+:/, '');
  const m = file.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
  return m ? m[1].slice(m[1].indexOf('node_modules/')) : undefined;
}

/** The package name of a package dir: "node_modules/@grpc/proto-loader/node_modules/protobufjs" → "protobufjs". */
export const packageName = (dir) => dir.slice(dir.lastIndexOf('node_modules/') + 'node_modules/'.length);

/** For each output file (source maps left out): its size and the bytes each package contributes. */
export function bundleContents(metafiles) {
  const out = new Map();
  for (const meta of metafiles) {
    for (const [file, output] of Object.entries(meta.outputs)) {
      if (file.endsWith('.map')) continue;
      const packages = new Map();
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const dir = packageDirOf(input);
        if (dir && bytesInOutput > 0) packages.set(dir, (packages.get(dir) ?? 0) + bytesInOutput);
      }
      out.set(file, { bytes: output.bytes, packages, entryPoint: output.entryPoint });
    }
  }
  return out;
}

/**
 * The inputs an output runs as soon as it is loaded: its entry point and everything reached
 * through static imports and requires, not through `await import()`.
 */
export function staticInputs(meta, outputFile) {
  const entry = meta.outputs[outputFile]?.entryPoint;
  if (!entry) throw new Error(`${outputFile} is not an entry point of this metafile`);
  const seen = new Set([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    for (const edge of meta.inputs[queue.pop()]?.imports ?? []) {
      if (edge.external || edge.kind === 'dynamic-import' || seen.has(edge.path)) continue;
      seen.add(edge.path);
      queue.push(edge.path);
    }
  }
  return seen;
}

/** Vendor packages a set of inputs requires through shims ("shared-vendor:openai" → "openai"). */
export const sharedPackagesIn = (inputs) =>
  new Set([...inputs].filter((i) => i.startsWith('shared-vendor:')).map((i) => i.slice('shared-vendor:'.length).replace(/^((?:@[^/]+\/)?[^/]+).*$/, '$1')));

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;

export function formatReport(metafiles) {
  const lines = [];
  const rows = [...bundleContents(metafiles)].sort(([a], [b]) => a.localeCompare(b));
  for (const [file, { bytes, packages }] of rows) {
    const own = bytes - [...packages.values()].reduce((s, b) => s + b, 0);
    const parts = [...packages].sort((a, b) => b[1] - a[1]).map(([dir, b]) => `${packageName(dir)} ${kb(b)}`);
    lines.push(`${file.padEnd(40)} ${kb(bytes).padStart(8)}   own ${kb(own)}${parts.length ? `, ${parts.join(', ')}` : ''}`);
  }
  const total = rows.reduce((s, [, { bytes }]) => s + bytes, 0);
  lines.push(`${'total'.padEnd(40)} ${kb(total).padStart(8)}`);
  return lines.join('\n');
}
