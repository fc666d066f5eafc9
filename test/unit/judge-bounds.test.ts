/**
 * Judges are bounded and judge from their snapshot: every judge has a timeout (expectation,
 * judge file, or the default for its kind) and a module judge runs in a worker thread that is
 * terminated when it passes — a busy loop included; a module judge runs from the bytes read
 * when the snapshot was taken, whatever is on disk later.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadJudgeCatalog, type JudgeCatalog } from '../../src/core/judges/catalog';
import { DEFAULT_JUDGE_TIMEOUT_MS, evaluateExpectations, judgeTimeout } from '../../src/core/judges/evaluate';
import { JudgeSnapshot } from '../../src/core/judges/snapshot';
import { Scenario, type ScenarioDef } from '../../src/core/scenario/schema';
import { TraceBuilder } from '../support/traceBuilder';
import { tempWorkspace } from '../support/workspace';

const ws = tempWorkspace({
  'judges/loop.mjs': 'export default function () { for (;;) {} }\n',
  'judges/async-hang.mjs': 'export default function () { return new Promise(() => {}); }\n',
  'judges/verdict.mjs': "import { label } from './helper.mjs';\nexport default () => ({ passed: true, rationale: `original judge (${label})` });\n",
  'judges/helper.mjs': "export const label = 'helper';\n",
  'judges/common.cjs': "const os = require('node:os');\nmodule.exports = { named: ({ args }) => ({ passed: args.ok === true, rationale: `cjs on ${typeof os.platform()}` }) };\n",
  'judges/loop.judge.yaml': 'id: slow-module\nkind: module\nmodule: judges/loop.mjs\ntimeout: 300ms\n',
  'schema.json': JSON.stringify({ type: 'object', required: ['ok'] }),
});
after(() => ws.dispose());

function trace() {
  const b = new TraceBuilder();
  b.span({ name: 'agent', spanType: 'AGENT', outputs: { output: '{"ok": true}' } });
  return b.build();
}

async function verdicts(expectations: unknown[], options: { snapshot?: boolean; before?: (scenario: ScenarioDef, catalog: JudgeCatalog) => Promise<void> | void } = {}) {
  const scenario = Scenario.parse({ id: 's', prompt: 'p', expectations });
  const { catalog, problems } = await loadJudgeCatalog(ws.dir, {});
  assert.deepEqual(problems, []);
  const snapshot = options.snapshot ? await JudgeSnapshot.take(ws.dir, catalog, [scenario]) : undefined;
  await options.before?.(scenario, catalog);
  return evaluateExpectations({ trace: trace(), scenario, workspaceDir: ws.dir, catalog, signal: new AbortController().signal, ...(snapshot ? { snapshot } : {}) });
}

test('a module judge that loops forever is stopped at its timeout: an error verdict naming the limit', async () => {
  const [fromExpectation, fromFile, asyncHang, next] = await verdicts([
    { judge: 'module', with: { path: 'judges/loop.mjs' }, timeout: '250ms' },
    { judge: 'slow-module' },
    { judge: 'module', with: { path: 'judges/async-hang.mjs' }, timeout: '250ms' },
    { judge: 'contains', with: { text: 'ok' } },
  ]);
  assert.equal(fromExpectation!.outcome, 'error');
  assert.match(fromExpectation!.rationale, /judge module did not finish within its timeout of 250ms \(the expectation's timeout\) and was stopped/);
  assert.equal(fromFile!.outcome, 'error');
  assert.match(fromFile!.rationale, /within its timeout of 300ms \(timeout in the judge file\)/);
  assert.equal(asyncHang!.outcome, 'error');
  assert.equal(next!.outcome, 'passed', 'the thread that judges the rest is not blocked');
});

test('every kind has a default timeout; the command check keeps its own with.timeout as the limit', async () => {
  const { catalog } = await loadJudgeCatalog(ws.dir, {});
  const parse = (e: unknown) => Scenario.parse({ id: 's', prompt: 'p', expectations: [e] }).expectations[0]!;
  assert.deepEqual(judgeTimeout(catalog.get('regex')!, parse({ judge: 'regex' })), { ms: DEFAULT_JUDGE_TIMEOUT_MS.check, from: 'the default for check judges' });
  assert.deepEqual(judgeTimeout(catalog.get('command')!, parse({ judge: 'command', with: { timeout: '1m' } })).ms, 65_000);
  assert.deepEqual(judgeTimeout(catalog.get('command')!, parse({ judge: 'command', timeout: '2s', with: { timeout: '1m' } })).ms, 2_000);
  assert.deepEqual(Object.keys(DEFAULT_JUDGE_TIMEOUT_MS).sort(), ['agentic', 'check', 'llm', 'metric', 'module']);
});

test('a command check over its timeout is killed with its process group', async () => {
  const [verdict] = await verdicts([{ judge: 'command', with: { argv: ['/bin/sh', '-c', 'sleep 30 & wait'] }, timeout: '300ms' }], {});
  assert.equal(verdict!.outcome, 'error');
  assert.match(verdict!.rationale, /within its timeout of 300ms/);
});

test('module judges run from the snapshot: rewriting the module (or its schema) after the snapshot changes nothing', async () => {
  const moduleFile = path.join(ws.dir, 'judges', 'verdict.mjs');
  const cjsFile = path.join(ws.dir, 'judges', 'common.cjs');
  const schemaFile = path.join(ws.dir, 'schema.json');
  const expectations = [
    { judge: 'module', with: { path: 'judges/verdict.mjs' } },
    { judge: 'module', with: { path: 'judges/common.cjs', export: 'named', ok: true } },
    { judge: 'json-schema', with: { schemaFile: 'schema.json' } },
  ];
  const [esm, cjs, schema] = await verdicts(expectations, {
    snapshot: true,
    before: () => {
      writeFileSync(moduleFile, "export default () => ({ passed: false, rationale: 'REWRITTEN' });\n");
      writeFileSync(cjsFile, "module.exports = { named: () => ({ passed: false, rationale: 'REWRITTEN' }) };\n");
      writeFileSync(schemaFile, JSON.stringify({ type: 'object', required: ['missing'] }));
    },
  });
  assert.equal(esm!.outcome, 'passed', esm!.rationale);
  assert.equal(esm!.rationale, 'original judge (helper)', 'its own imports still resolve from where it lives');
  assert.equal(cjs!.outcome, 'passed', cjs!.rationale);
  assert.match(cjs!.rationale, /cjs on string/);
  assert.equal(schema!.outcome, 'passed', schema!.rationale);

  // What judged the scenario, for its traces: the inputs it uses and its parsed expectations.
  const { catalog } = await loadJudgeCatalog(ws.dir, {});
  const digests = (await JudgeSnapshot.take(ws.dir, catalog, [Scenario.parse({ id: 's', prompt: 'p', expectations })])).digestsFor('s');
  assert.deepEqual(Object.keys(digests), ['judges/common.cjs', 'judges/verdict.mjs', 'schema.json', 'expectations']);
  assert.ok(Object.values(digests).every((d) => /^[0-9a-f]{64}$/.test(d)));

  // Without a snapshot (a re-score: no agent ran) the disk is what counts.
  const [rescored] = await verdicts([expectations[0]]);
  assert.equal(rescored!.rationale, 'REWRITTEN');
});

test('a judge input missing when the snapshot was taken stays missing, even if it appears later', async () => {
  const [verdict] = await verdicts([{ judge: 'module', with: { path: 'judges/late.mjs' } }], {
    snapshot: true,
    before: () => writeFileSync(path.join(ws.dir, 'judges', 'late.mjs'), 'export default () => true;\n'),
  });
  assert.equal(verdict!.outcome, 'error');
  assert.match(verdict!.rationale, /cannot load judge module judges\/late\.mjs: it does not exist/);
});
