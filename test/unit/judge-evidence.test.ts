/**
 * Deterministic verdicts cite their evidence, so the trace viewer opens on it: artifact checks
 * the span that wrote (else read) the file, text checks the span whose output matched, and any
 * other pass or fail at least the root span. Model verdicts cite only what the model cited.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadJudgeCatalog, type JudgeCatalog } from '../../src/core/judges/catalog';
import { evaluateExpectations } from '../../src/core/judges/evaluate';
import type { Verdict } from '../../src/core/judges/types';
import { Scenario } from '../../src/core/scenario/schema';
import type { Trace } from '../../src/core/trace/model';
import { artifact, TraceBuilder } from '../support/traceBuilder';

let workspace: string;
let catalog: JudgeCatalog;

before(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'costar-evidence-'));
  ({ catalog } = await loadJudgeCatalog(workspace, {}));
});

after(async () => {
  await fs.rm(workspace, { recursive: true, force: true });
});

/** Span ids are sequential: 1 root, 2 read_file data/raw.csv, 3 plan (LLM), 4 write_file clean.csv, 5 read_file clean.csv. */
function cleaningTrace(): Trace {
  const b = new TraceBuilder();
  const root = b.span({ name: 'agent', spanType: 'AGENT', durationMs: 50, inputs: { prompt: 'clean the table' }, outputs: { output: 'Filled 2 missing incomes with the mean (81,250).', stdout: 'ok\n' } });
  b.span({ parent: root, name: 'read_file', toolName: 'read_file', startMs: 1, inputs: { path: '/tmp/sandbox/data/raw.csv' } });
  b.span({ parent: root, name: 'plan', spanType: 'LLM', startMs: 5, outputs: 'Filled 2 missing incomes with the mean (81,250).' });
  b.span({ parent: root, name: 'write_file', toolName: 'write_file', startMs: 10, inputs: { path: 'clean.csv', bytes: 40 } });
  b.span({ parent: root, name: 'read_file', toolName: 'read_file', startMs: 20, inputs: { path: 'clean.csv' } });
  // data/raw.csv stands for an input file the sandbox still holds (here: recorded as modified).
  return b.build({ artifacts: [artifact('clean.csv', 'id,income\n1,81250\n2,81250\n'), artifact('data/raw.csv', 'id,income\n1,\n', 'modified')] });
}

async function judge(judgeId: string, args: Record<string, unknown>, trace = cleaningTrace()): Promise<Verdict> {
  const scenario = Scenario.parse({ id: 's1', prompt: 'clean', expectations: [{ judge: judgeId, with: args }] });
  const [verdict] = await evaluateExpectations({ trace, scenario, workspaceDir: workspace, catalog, signal: new AbortController().signal });
  return verdict!;
}

const id = (n: number) => n.toString(16).padStart(16, '0');

test('an artifact check cites the span that wrote the artifact, not the one that read it back', async () => {
  const failing = await judge('table-schema', { artifact: 'clean.csv', columns: { id: 'integer', income: 'integer', age: 'integer' } });
  assert.equal(failing.outcome, 'failed', failing.rationale);
  assert.deepEqual(failing.spanIds, [id(4)]);
  assert.deepEqual((await judge('contains', { artifact: 'clean.csv', text: '81250' })).spanIds, [id(4)]);
  assert.deepEqual((await judge('file-exists', { paths: 'clean.csv' })).spanIds, [id(4)]);
});

test('an artifact only read cites its last reader; a missing file cites the root span', async () => {
  assert.deepEqual((await judge('contains', { artifact: 'data/raw.csv', text: 'income' })).spanIds, [id(2)], 'a read_file span names data/raw.csv');
  const missing = await judge('file-exists', { paths: 'report.md' });
  assert.equal(missing.outcome, 'failed');
  assert.deepEqual(missing.spanIds, [id(1)]);
});

test('a text check on the final output cites the span that produced the matched text', async () => {
  const mean = await judge('contains', { text: 'the mean', not: true });
  assert.equal(mean.outcome, 'failed', mean.rationale);
  assert.deepEqual(mean.spanIds, [id(3)], 'the plan span wrote "the mean"');
  assert.deepEqual((await judge('regex', { pattern: 'mean \\(\\d' })).spanIds, [id(3)]);
  const absent = await judge('contains', { text: 'median' });
  assert.equal(absent.outcome, 'failed');
  assert.deepEqual(absent.spanIds, [id(1)], 'nothing holds "median": the root span carries the output that lacks it');
  assert.deepEqual((await judge('contains', { text: 'ok', in: 'stdout' })).spanIds, [id(1)]);
});

test('a check that names no span still cites the root span; an error cites nothing', async () => {
  const metric = await judge('max-tool-errors', { max: 0 });
  assert.equal(metric.outcome, 'passed');
  assert.ok(metric.spanIds.length > 0, 'cites something');
  const broken = await judge('regex', { pattern: '(' });
  assert.equal(broken.outcome, 'error');
  assert.deepEqual(broken.spanIds, []);
});
