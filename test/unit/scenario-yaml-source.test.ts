import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { z } from 'zod';
import { ScenarioFile, WorkspaceConfig } from '../../src/core/scenario/schema';
import { formatProblem, keyRangeOf, nearestRange, parseYaml, rangeOf, validateYaml, type Problem } from '../../src/core/scenario/yamlSource';

const FILE = path.resolve('/ws/demo.scenario.yaml');

function check(text: string, schema: z.ZodType = ScenarioFile): string[] {
  return validateYaml(text, FILE, schema).problems.map((p) => formatProblem(p, '/ws'));
}

test('a valid file yields the parsed value and no problems', () => {
  const result = validateYaml('scenarios:\n  - id: a\n    prompt: hi\n    timeout: 2m\n', FILE, ScenarioFile);
  assert.deepEqual(result.problems, []);
  assert.equal(result.value!.scenarios[0]!.timeout, 120_000);
});

test('YAML syntax error: positioned where the parser stopped (the last character written, not a blank end of file), and no schema noise', () => {
  assert.deepEqual(check('scenarios:\n  - id: a\n    prompt: "unterminated\n'), [
    'demo.scenario.yaml:3:25: error: Missing closing "quote',
  ]);
  assert.deepEqual(check('scenarios:\n  - id: a\n     prompt: x\n'), [
    // The over-indented line turns the value "a" into a multi-line key: both reports point at it.
    'demo.scenario.yaml:2:9: error: Nested mappings are not allowed in compact mappings',
    'demo.scenario.yaml:2:9: error: Implicit keys need to be on a single line',
  ]);
});

test('duplicate keys are errors at the second key', () => {
  assert.deepEqual(check('scenarios:\n  - id: a\n    prompt: x\n    id: b\n'), ['demo.scenario.yaml:4:5: error: Map keys must be unique']);
});

test('wrong type: positioned at the value, saying what is expected and what was found', () => {
  assert.deepEqual(check('scenarios:\n  - id: a\n    prompt: hi\n    tags: edge\n    repeat: many\n'), [
    'demo.scenario.yaml:4:11: error: scenarios[0].tags: expected a list, got the text "edge"',
    'demo.scenario.yaml:5:13: error: scenarios[0].repeat: expected a number, got the text "many"',
  ]);
  assert.deepEqual(check('scenarios: {}\n'), ['demo.scenario.yaml:1:12: error: scenarios: expected a list, got a mapping']);
  assert.deepEqual(check(''), ['demo.scenario.yaml:1:1: error: document: expected a mapping (key: value), got nothing']);
});

test('unknown key: positioned at the key, listing the allowed keys', () => {
  assert.deepEqual(check('scenarios:\n  - id: a\n    promt: hi\n'), [
    'demo.scenario.yaml:2:5: error: scenarios[0].prompt: missing required key "prompt" (expected a string)',
    'demo.scenario.yaml:3:5: error: scenarios[0].promt: unknown key "promt"; expected one of: id, agent, description, tags, setup, prompt, expectations, timeout, repeat, pass',
  ]);
  assert.deepEqual(check('defaults:\n  timeout: 30s\n  concurency: 3\n', WorkspaceConfig), [
    'demo.scenario.yaml:3:3: error: defaults.concurency: unknown key "concurency"; expected one of: timeout, concurrency, repeat, maxSpanMiB',
  ]);
});

test('bad duration: positioned at the value with an example of a good one', () => {
  assert.deepEqual(check('scenarios:\n  - id: a\n    prompt: hi\n    timeout: 30 secs\n'), [
    'demo.scenario.yaml:4:14: error: scenarios[0].timeout: expected a duration such as "30s", "2m" or "1500ms", got "30 secs"',
  ]);
  assert.deepEqual(check('scenarios:\n  - id: a\n    prompt: hi\n    timeout: [1]\n'), [
    'demo.scenario.yaml:4:14: error: scenarios[0].timeout: expected a string or a number, got a list',
  ]);
});

test('unions report the branch that matched the shape', () => {
  assert.deepEqual(check('scenarios:\n  - id: a\n    prompt: hi\n    pass: { at_least: 0 }\n'), [
    'demo.scenario.yaml:4:23: error: scenarios[0].pass.at_least: expected number to be >=1',
  ]);
  assert.deepEqual(check('scenarios:\n  - id: a\n    prompt: hi\n    pass: most\n'), [
    'demo.scenario.yaml:4:11: error: scenarios[0].pass: expected "all" or a mapping (key: value), got the text "most"',
  ]);
});

test('invalid record keys are positioned at the key', () => {
  assert.deepEqual(check('agents:\n  my agent:\n    command: [node]\n', WorkspaceConfig), [
    'demo.scenario.yaml:2:3: error: agents["my agent"]: invalid key "my agent": expected an id of letters, digits, ".", "_" or "-" (starting with a letter or digit)',
  ]);
});

test('aliases are followed; an alias bomb is a problem, not a hang or a crash', () => {
  const ok = validateYaml('x: &p hi\nscenarios:\n  - id: a\n    prompt: *p\n', FILE, z.object({ x: z.string(), scenarios: z.array(z.object({ id: z.string(), prompt: z.string() })) }));
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.value!.scenarios[0]!.prompt, 'hi');

  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
  const problems = validateYaml(bomb.join('\n'), FILE, z.unknown()).problems;
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /^cannot read this YAML: .*alias/i);
});

test('rangeOf, keyRangeOf and nearestRange find nodes by path', () => {
  const { doc } = parseYaml('scenarios:\n  - id: first\n    setup:\n      files: { a.csv: b.csv }\n', FILE);
  assert.deepEqual(rangeOf(doc, ['scenarios', 0, 'id']), { line: 2, column: 9, endLine: 2, endColumn: 14 });
  assert.deepEqual(rangeOf(doc, ['scenarios', 0, 'setup', 'files', 'a.csv']), { line: 4, column: 23, endLine: 4, endColumn: 28 });
  assert.deepEqual(keyRangeOf(doc, ['scenarios', 0, 'setup', 'files', 'a.csv']), { line: 4, column: 16, endLine: 4, endColumn: 21 });
  assert.equal(rangeOf(doc, ['scenarios', 1]), undefined);
  assert.equal(rangeOf(doc, ['scenarios', 0, 'prompt']), undefined);
  // A missing field falls back to its nearest ancestor, narrowed to the ancestor's key.
  assert.deepEqual(nearestRange(doc, ['scenarios', 0, 'setup', 'env']), { line: 3, column: 5, endLine: 3, endColumn: 10 });
  // A sequence item has no key: its first line.
  assert.deepEqual(nearestRange(doc, ['scenarios', 0, 'prompt']), { line: 2, column: 5, endLine: 2, endColumn: 14 });
});

test('formatProblem prints file:line:col: severity: message, relative when asked', () => {
  const problem: Problem = { file: FILE, line: 3, column: 7, endLine: 3, endColumn: 9, message: 'expected a list', severity: 'warning' };
  assert.equal(formatProblem(problem), `${FILE}:3:7: warning: expected a list`);
  assert.equal(formatProblem(problem, path.resolve('/ws')), 'demo.scenario.yaml:3:7: warning: expected a list');
});

test('problems are sorted by position and carry the absolute file', () => {
  const problems = validateYaml('scenarios:\n  - id: "bad id"\n    prompt: 1\n    zzz: 1\n', 'rel/x.yaml', ScenarioFile).problems;
  assert.deepEqual(problems.map((p) => [p.line, p.column]), [[2, 9], [3, 13], [4, 5]]);
  assert.ok(problems.every((p) => p.file === path.resolve('rel/x.yaml')));
});

test('Windows line breaks (\\r\\n) count as one line break, as in the editor', () => {
  assert.deepEqual(check('scenarios:\r\n  - id: a\r\n    prompt: 1\r\n'), ['demo.scenario.yaml:3:13: error: scenarios[0].prompt: expected a string, got the number 1']);
});
