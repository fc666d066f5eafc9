/**
 * Runs a user's judge module in a worker thread, so that a judge that loops forever can be
 * stopped (Worker.terminate() ends even a busy loop; the main thread never runs user code),
 * and so that it runs from the judge snapshot: a module-loader hook inside the worker answers
 * the module's own URL with the bytes read before the agent started, while its imports still
 * resolve from where it lives. The worker is started from source text (eval), so the esbuild
 * bundles need no extra file.
 */
import { Worker } from 'node:worker_threads';

export type WorkerAnswer =
  | { kind: 'returned'; value: unknown }
  | { kind: 'threw'; message: string }
  | { kind: 'load-failed'; message: string }
  | { kind: 'no-function'; found: string[] }
  | { kind: 'stopped' }
  | { kind: 'crashed'; message: string };

export interface WorkerJob {
  url: string;
  exportName: string;
  /** Source served for `url` instead of the disk's (undefined: load from disk). */
  source?: string;
  input: Record<string, unknown>;
  signal: AbortSignal;
}

/** Heap of one judge worker: a runaway allocation ends the judge, not the harness. */
const WORKER_HEAP_MB = 1024;

// The hook runs on the loader thread: it serves the snapshot for the judge module's URL. A
// CommonJS module is wrapped as ESM (createRequire at its real path), because Node 20 ignores
// source returned for the 'commonjs' format.
const HOOKS = `
let sources = {};
export function initialize(data) { sources = data.sources; }
export async function load(url, context, next) {
  if (!Object.hasOwn(sources, url)) return next(url, context);
  const format = context.format ?? (url.endsWith('.cjs') ? 'commonjs' : 'module');
  if (format === 'module') return { format: 'module', source: sources[url], shortCircuit: true };
  if (format !== 'commonjs') return next(url, context);
  const wrapped = 'import { createRequire } from "node:module"; import { fileURLToPath } from "node:url"; import { dirname } from "node:path";\\n'
    + 'const __filename = fileURLToPath(' + JSON.stringify(url) + '); const module = { exports: {} };\\n'
    + '(function (exports, require, module, __filename, __dirname) {' + sources[url] + '\\n}).call(module.exports, module.exports, createRequire(__filename), module, __filename, dirname(__filename));\\n'
    + 'export default module.exports;\\n';
  return { format: 'module', source: wrapped, shortCircuit: true };
}`;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { register } = require('node:module');
const { url, exportName, source, input } = workerData;
if (source !== undefined) register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}), { data: { sources: { [url]: source } } });
const controller = new AbortController();
parentPort.on('message', (m) => { if (m === 'abort') controller.abort(); });
const send = (answer) => {
  try { parentPort.postMessage(answer); }
  catch (error) { parentPort.postMessage({ kind: 'threw', message: 'its answer cannot be passed back (' + error.message + '); return plain data' }); }
};
(async () => {
  let loaded;
  try { loaded = await import(url); }
  catch (error) { return send({ kind: 'load-failed', message: String(error && error.message || error) }); }
  const fromDefault = loaded.default;
  const fn = loaded[exportName] ?? (exportName !== 'default' && fromDefault && typeof fromDefault === 'object' ? fromDefault[exportName] : undefined);
  if (typeof fn !== 'function') return send({ kind: 'no-function', found: Object.keys(loaded) });
  try { send({ kind: 'returned', value: await fn({ ...input, signal: controller.signal }) }); }
  catch (error) { send({ kind: 'threw', message: String(error && error.message || error) }); }
})();
`;

export function runInJudgeWorker(job: WorkerJob): Promise<WorkerAnswer> {
  return new Promise((resolve) => {
    if (job.signal.aborted) return resolve({ kind: 'stopped' });
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { url: job.url, exportName: job.exportName, source: job.source, input: job.input },
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const finish = (answer: WorkerAnswer) => {
      if (settled) return;
      settled = true;
      job.signal.removeEventListener('abort', onAbort);
      resolve(answer);
      void worker.terminate();
    };
    const onAbort = () => {
      worker.postMessage('abort');
      finish({ kind: 'stopped' });
    };
    job.signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (answer: WorkerAnswer) => finish(answer));
    worker.on('error', (error) => finish({ kind: 'crashed', message: error.message }));
    worker.on('exit', (code) => finish({ kind: 'crashed', message: `its worker exited (code ${code}) without an answer` }));
  });
}
