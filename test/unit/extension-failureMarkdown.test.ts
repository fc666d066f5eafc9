import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Verdict } from '../../src/core/judges/types';
import { escapeMarkdown, verdictMarkdown } from '../../src/extension/testing/failureMarkdown';

const verdict: Verdict = {
  judge: 'contains',
  name: 'says please',
  expectationIndex: 1,
  outcome: 'failed',
  value: false,
  rationale: 'stdout does not contain "please"',
  source: 'CODE',
  spanIds: ['00f067aa0ba902b7'],
  judgeVersion: '1',
  cost: { inputTokens: 0, outputTokens: 0, modelCalls: 0, ms: 3 },
  createdAt: 0,
};

test('a failed verdict shows its name, value, rationale, cited spans and a link to its trace', () => {
  const markdown = verdictMarkdown(verdict, '/ws/.costar/traces/abc.trace.json');
  assert.match(markdown, /^\*\*says please\*\* failed/);
  assert.match(markdown, /Value: `false`/);
  assert.match(markdown, /stdout does not contain "please"/);
  assert.match(markdown, /Cited spans: `00f067aa0ba902b7`/);
  const link = /\[Open trace\]\(command:costar\.openTrace\?([^)]+)\)/.exec(markdown);
  assert.ok(link, 'has an Open trace command link');
  assert.deepEqual(JSON.parse(decodeURIComponent(link[1]!)), [{ traceFile: '/ws/.costar/traces/abc.trace.json', spanIds: ['00f067aa0ba902b7'] }]);
});

test('untrusted rationale text cannot form links, HTML or emphasis', () => {
  const markdown = verdictMarkdown({ ...verdict, rationale: '[click](command:workbench.action.terminal.new) <img src=x> **bold**' }, undefined);
  assert.doesNotMatch(markdown, /\[click\]\(command:/);
  assert.doesNotMatch(markdown, /(^|[^\\])<img/, "every < is escaped");
  assert.match(markdown, /\\\[click\\\]\(command:workbench\.action\.terminal\.new\) \\<img src=x\\> \\\*\\\*bold\\\*\\\*/);
  assert.doesNotMatch(markdown, /Open trace/, 'no link without a stored trace');
});

test('an error verdict says it could not finish and shows the error, not a value', () => {
  const markdown = verdictMarkdown({ ...verdict, outcome: 'error', value: null, rationale: '', error: 'model unreachable: ECONNREFUSED' }, undefined);
  assert.match(markdown, /could not finish/);
  assert.match(markdown, /Error: model unreachable: ECONNREFUSED/);
  assert.doesNotMatch(markdown, /Value:/);
});

test('escapeMarkdown leaves plain words alone, hyphens, dots and intraword underscores included', () => {
  assert.equal(escapeMarkdown('plain words 42'), 'plain words 42');
  assert.equal(escapeMarkdown('file-exists: clean.csv has no_missing values (3.5%)'), 'file-exists: clean.csv has no_missing values (3.5%)');
});

test('escapeMarkdown escapes block markup at a line start, emphasis underscores and bare links', () => {
  assert.equal(escapeMarkdown('# title\n- item\n1. first\n> quote'), '\\# title\n\\- item\n1\\. first\n\\> quote');
  assert.equal(escapeMarkdown('_emphasis_ and snake_case'), '\\_emphasis\\_ and snake_case');
  assert.equal(escapeMarkdown('see https://evil.example or www.evil.example'), 'see https:\\/\\/evil.example or www\\.evil.example');
  assert.equal(escapeMarkdown('R&D &amp; &#60;'), 'R&D \\&amp; \\&#60;');
});
