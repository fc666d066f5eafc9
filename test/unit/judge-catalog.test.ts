/** Judge files: validation with positions, wrappers of built-in checks, metric judges, model-less skipping. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadJudgeCatalog } from '../../src/core/judges/catalog';
import { evaluateExpectations } from '../../src/core/judges/evaluate';
import { Scenario } from '../../src/core/scenario/schema';
import { TraceBuilder } from '../support/traceBuilder';

async function workspaceWith(files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'costar-catalog-'));
  for (const [name, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), text);
  }
  return dir;
}

test('the catalog lists the built-in checks and the judge files, an llm judge using {{ trace }} is agentic', async (t) => {
  const dir = await workspaceWith({
    'judges/helpful.judge.yaml': 'id: helpful\nkind: llm\ninstructions: Is {{ outputs }} a helpful answer to {{ inputs }}?\nvalue: yes/no\n',
    'judges/efficient.judge.yaml': 'id: efficient\nkind: llm\nversion: 3\ninstructions: Did the agent in {{ trace }} avoid redundant tool calls?\n',
    'judges/notes.txt': 'not a judge',
  });
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const { catalog, problems } = await loadJudgeCatalog(dir, {});
  assert.deepEqual(problems, []);
  for (const id of ['file-exists', 'json-schema', 'table-schema', 'contains', 'regex', 'command', 'tool-sequence', 'max-tool-errors', 'module', 'helpful', 'efficient']) {
    assert.ok(catalog.ids().has(id), `catalog lacks ${id}`);
  }
  assert.equal(catalog.get('helpful')!.kind, 'llm');
  assert.equal(catalog.get('efficient')!.kind, 'agentic');
  assert.equal(catalog.get('efficient')!.version, '3');
});

test('judge file problems carry file:line:col and say what to write', async (t) => {
  const dir = await workspaceWith({
    'rules/a.judge.yaml': 'id: score\nkind: llm\ninstructions: Rate {{ outputs }}\nvalue: {type: number, min: 1, max: 5}\n',
    'rules/e.judge.yaml': 'id: picky\nkind: llm\ninstructions: Rate {{ output }}\n',
    'rules/b.judge.yaml': 'id: wrapper\nkind: check\ncheck: regexp\n',
    'rules/c.judge.yaml': 'id: tone\nkind: llm\ninstructions: Tone of {{ outputs }}?\nvalue: {type: categorical, categories: [calm, rude]}\npass: [polite]\n',
    'rules/d.judge.yaml': 'id: picky\nkind: metric\nmetric: totalTokens\n',
  });
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const { catalog, problems } = await loadJudgeCatalog(dir, { judges: 'rules' });
  const shown = problems.map((p) => `${path.basename(p.file)}:${p.line}:${p.column}: ${p.severity}: ${p.message}`);
  assert.ok(shown.some((s) => /^a\.judge\.yaml:1:1: error: .*number judge needs a pass rule, e\.g\. pass: \{min: 5\}/.test(s)), shown.join('\n'));
  assert.ok(shown.some((s) => /^e\.judge\.yaml:3:15: warning: instructions: unknown template variable \{\{ output \}\}/.test(s)), shown.join('\n'));
  assert.ok(shown.some((s) => /^b\.judge\.yaml:3:8: error: check: unknown built-in check "regexp"; expected one of: .*regex/.test(s)), shown.join('\n'));
  assert.ok(shown.some((s) => /^c\.judge\.yaml:5:7: error: pass: polite is not among the categories calm, rude/.test(s)), shown.join('\n'));
  assert.ok(shown.some((s) => /^e\.judge\.yaml:1:5: error: id: judge id "picky" is already used by rules\/d\.judge\.yaml/.test(s)), shown.join('\n'));
  assert.ok(!catalog.ids().has('score'), 'a judge file with errors is left out');
  assert.equal(catalog.get('picky')!.kind, 'metric', 'the first file with an id wins');
});

test('a configured judge folder that does not exist is a problem; the default folder may be absent', async (t) => {
  const dir = await workspaceWith({});
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  assert.deepEqual((await loadJudgeCatalog(dir, {})).problems, []);
  const { problems } = await loadJudgeCatalog(dir, { judges: ['evals'] });
  assert.match(problems[0]!.message, /judge folder "evals": it does not exist/);
});

test('a check judge file supplies default arguments the expectation can override; metric judges gate on their rule', async (t) => {
  const dir = await workspaceWith({
    'judges/says-done.judge.yaml': 'id: says-done\nkind: check\ncheck: contains\nversion: 2\nwith: {text: DONE, in: stdout}\n',
    'judges/token-budget.judge.yaml': 'id: token-budget\nkind: metric\nmetric: totalTokens\nvalue: {type: number, min: 0, max: 1000000}\npass: {max: 100}\n',
    'judges/tool-calls.judge.yaml': 'id: tool-calls\nkind: metric\nmetric: toolCalls\n',
    'judges/helpful.judge.yaml': 'id: helpful\nkind: llm\ninstructions: Is {{ outputs }} helpful?\n',
  });
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const { catalog, problems } = await loadJudgeCatalog(dir, {});
  assert.deepEqual(problems, []);
  const b = new TraceBuilder();
  const root = b.span({ name: 'agent', outputs: { output: 'ok', stdout: 'all DONE' } });
  b.span({ parent: root, name: 'chat', spanType: 'CHAT_MODEL', tokens: { input: 90, output: 30 } });
  const scenario = Scenario.parse({
    id: 's',
    prompt: 'p',
    expectations: [
      { judge: 'says-done' },
      { judge: 'says-done', with: { text: 'FAILED' }, name: 'no failure text' },
      { judge: 'token-budget' },
      { judge: 'tool-calls' },
      { judge: 'helpful' },
    ],
  });
  const seen: number[] = [];
  const verdicts = await evaluateExpectations({ trace: b.build(), scenario, workspaceDir: dir, catalog, signal: new AbortController().signal, onVerdict: (v) => seen.push(v.expectationIndex) });
  assert.deepEqual(
    verdicts.map((v) => [v.name, v.outcome, v.judgeVersion]),
    [
      ['says-done', 'passed', '2'],
      ['no failure text', 'failed', '2'],
      ['token-budget', 'failed', '1'],
      ['tool-calls', 'passed', '1'],
      ['helpful', 'skipped', '1'],
    ],
  );
  assert.match(verdicts[2]!.rationale, /totalTokens = 120 \(passes when ≤ 100\)/);
  assert.match(verdicts[3]!.rationale, /toolCalls = 0 \(informational/);
  assert.match(verdicts[4]!.rationale, /COSTAR_MODEL_BASE_URL.*OPENAI_API_KEY/);
  assert.equal(verdicts[4]!.source, 'LLM_JUDGE');
  assert.deepEqual(seen.sort(), [0, 1, 2, 3, 4]);
});
