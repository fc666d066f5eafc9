import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { renderReport } from '../../src/core/report/render';
import { escapeData, escapeProperty } from '../../src/core/report/github';
import { mixedReport, report, scenario, verdict } from './report-fixtures';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });

test('JSON report has the documented shape: verdicts with judge, passed, value, rationale, error', () => {
  const json = JSON.parse(renderReport(mixedReport(), 'json'));
  assert.equal(json.runId, 'run-1');
  assert.deepEqual(json.summary, { total: 4, passed: 1, failed: 1, error: 1, skipped: 1, durationMs: 4000 });
  const failed = json.scenarios[1];
  assert.deepEqual(Object.keys(failed).filter((k) => ['id', 'file', 'status', 'traceId', 'durationMs', 'verdicts'].includes(k)).sort(), [
    'durationMs', 'file', 'id', 'status', 'traceId', 'verdicts',
  ]);
  assert.equal(failed.status, 'failed');
  assert.match(failed.traceId, /^[0-9a-f]{32}$/);
  assert.deepEqual(
    failed.verdicts.map((v: Record<string, unknown>) => [v.judge, v.passed, v.value, v.error]),
    [['file-exists', true, true, null], ['no-leakage', false, false, null]],
  );
  const skipped = json.scenarios[3];
  assert.equal(skipped.verdicts[0].passed, false, 'a skipped verdict is not a pass');
  assert.match(skipped.verdicts[0].error, /no model configured/);
});

test('JSON report keeps traceId as null when a scenario has no trace', () => {
  const r = report('r', [scenario('x', 'error', [], { traceId: undefined, attempts: [] })]);
  assert.equal(JSON.parse(renderReport(r, 'json')).scenarios[0].traceId, null);
});

test('JUnit XML parses and carries the structure CI tools read', () => {
  const xml = renderReport(mixedReport(), 'junit');
  assert.equal(XMLValidator.validate(xml), true);
  const doc = parser.parse(xml);
  const root = doc.testsuites;
  assert.deepEqual([root['@tests'], root['@failures'], root['@errors'], root['@skipped'], root['@time']], ['4', '1', '1', '1', '4.000']);
  const suites = root.testsuite;
  assert.deepEqual(suites.map((s: Record<string, string>) => s['@name']), ['scenarios/main.scenario.yaml', 'scenarios/other.scenario.yaml']);
  assert.deepEqual(
    suites.map((s: Record<string, string>) => [s['@tests'], s['@failures'], s['@errors'], s['@skipped'], s['@time']]),
    [['2', '1', '0', '0', '3.000'], ['2', '0', '1', '1', '3.000']],
  );
  const [clean, skewed] = suites[0].testcase;
  const [slow, needsModel] = suites[1].testcase;
  assert.equal(clean['@name'], 'clean-csv');
  assert.equal(clean['@classname'], 'scenarios/main.scenario.yaml');
  assert.equal(clean['@time'], '1.500');
  assert.equal(clean.failure, undefined);
  assert.equal(clean.properties.property[0]['@name'], 'costar.trace_id');
  assert.match(clean.properties.property[0]['@value'], /^[0-9a-f]{32}$/);

  assert.equal(skewed.error, undefined);
  assert.equal(skewed.failure['@type'], 'no-leakage');
  assert.equal(skewed.failure['@message'], '[failed] no-leakage: uses <target> & "label"');
  assert.match(skewed.failure['#text'], /in features: 50%, ok/);

  assert.equal(slow.failure, undefined, 'an error is never reported as a failure');
  assert.match(slow.error['@message'], /timeout after 30s/);
  assert.match(needsModel.skipped['@message'], /no model configured/);
});

test('JUnit escapes control characters that XML forbids', () => {
  const r = report('r', [scenario('ansi', 'failed', [verdict('check', 'failed', '\u001b[31mred\u001b[0m output')])]);
  const xml = renderReport(r, 'junit');
  assert.equal(XMLValidator.validate(xml), true);
  assert.match(parser.parse(xml).testsuites.testsuite[0].testcase[0].failure['#text'], /\\u001b\[31mred/);
});

test('Markdown has a summary line, one table row per scenario and the reasons of the non-passing', () => {
  const md = renderReport(mixedReport(), 'markdown');
  assert.match(md, /1 passed · ❌ 1 failed · ⚠️ 1 errors · ⏭️ 1 skipped — 4 scenarios/);
  const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Scenario') && !l.startsWith('| ---'));
  assert.equal(rows.length, 4);
  assert.ok(rows.every((row) => row.split(/(?<!\\)\|/).length === 7), 'every row has 5 cells');
  assert.match(md, /\*\*skewed-income\*\* \(`scenarios\/main.scenario.yaml:9`\) — failed\n  - \[failed\] no-leakage: uses <target> & "label" in features/);
  assert.match(md, /timeout after 30s/);
});

test('GitHub annotations point at scenario lines, escaped per the workflow-command rules', () => {
  const lines = renderReport(mixedReport(), 'github', { repoRoot: '/repo' }).trim().split('\n');
  assert.equal(lines.length, 4);
  assert.equal(
    lines[0],
    '::error file=ws/scenarios/main.scenario.yaml,line=9,title=coSTAR%3A skewed-income failed::[failed] no-leakage: uses <target> & "label"%0Ain features: 50%25, ok',
  );
  assert.match(lines[1]!, /^::error file=ws\/scenarios\/other.scenario.yaml,line=4,title=coSTAR%3A slow-agent errored::timeout after 30s/);
  assert.match(lines[2]!, /^::notice file=ws\/scenarios\/other.scenario.yaml,line=12,/);
  assert.match(lines[3]!, /^::notice title=coSTAR::1 passed, 1 failed, 1 errors, 1 skipped/);
});

test('GitHub escaping: % first, then CR/LF; properties also escape : and ,', () => {
  assert.equal(escapeData('100%\r\nnext'), '100%25%0D%0Anext');
  assert.equal(escapeProperty('a:b,c%'), 'a%3Ab%2Cc%25');
});
