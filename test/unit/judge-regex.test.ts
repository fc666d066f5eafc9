/**
 * User and model regexes run on RE2 (src/core/util/safeRegex.ts) in all their callers: the
 * `regex` check, the agentic judge's search_trace_regex, Refine's search and the trace
 * viewer's search. A refused pattern says why; a cut text never yields "no match".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinEntries, JudgeCatalog } from '../../src/core/judges/catalog';
import { evaluateExpectations } from '../../src/core/judges/evaluate';
import { TraceToolbox } from '../../src/core/judges/agentic/traceTools';
import { RefineToolbox } from '../../src/core/refine/tools';
import { SourceFolders } from '../../src/core/refine/confinement';
import { Scenario } from '../../src/core/scenario/schema';
import { compileRegex, REGEX_SCAN_LIMIT } from '../../src/core/util/safeRegex';
import { spanMatcher } from '../../src/extension/traceViewer/search';
import { TraceBuilder } from '../support/traceBuilder';
import { tempWorkspace } from '../support/workspace';

const CATASTROPHIC = '^(a+)+$';
const EVIL_TEXT = `${'a'.repeat(40)}!`;

function traceWithOutput(output: string) {
  const b = new TraceBuilder();
  b.span({ name: 'agent', spanType: 'AGENT', outputs: { output } });
  return b.build();
}

async function regexVerdict(output: string, args: Record<string, unknown>) {
  const scenario = Scenario.parse({ id: 's', prompt: 'p', expectations: [{ judge: 'regex', with: args }] });
  const [verdict] = await evaluateExpectations({ trace: traceWithOutput(output), scenario, workspaceDir: '/nonexistent', catalog: new JudgeCatalog(builtinEntries()), signal: new AbortController().signal });
  return verdict!;
}

test('RE2 semantics: flags i/m/s, lookbehind, \\u escapes; unsupported syntax and flags are refused with the reason', () => {
  const must = (pattern: string, flags = '') => {
    const c = compileRegex(pattern, flags);
    assert.ok(c.ok, `${pattern} should compile: ${!c.ok && c.reason}`);
    return c.regex;
  };
  assert.equal(must('abc', 'i').test('xABCx'), true);
  assert.equal(must('^b$', 'm').test('a\nb\nc'), true);
  assert.equal(must('^b$').test('a\nb\nc'), false);
  assert.equal(must('a.b', 's').test('a\nb'), true);
  assert.equal(must('(?<=x)y').exec('ay xy')?.index, 4);
  assert.equal(must('\\u0041\\u{42}').test('AB'), true);
  assert.deepEqual([...must('x(y)?').matchAll('axbxyc')].map((m) => [m.index, m.text]), [[1, 'x'], [3, 'xy']]);

  const refused = (pattern: string, flags: string, reason: RegExp) => {
    const c = compileRegex(pattern, flags);
    assert.equal(c.ok, false, `${pattern} must be refused`);
    assert.match((c as { reason: string }).reason, reason);
  };
  refused('(a)\\1', '', /backreferences .* not supported .*RE2/);
  refused('(?<n>a)\\k<n>', '', /backreferences/);
  refused('a(?=b)', '', /lookahead .* not supported/);
  refused('a(?!b)', '', /lookahead/);
  refused('a', 'y', /flag "y" is not supported/);
  refused('(', '', /not a valid RE2 regular expression: missing closing \)/);
});

test('the regex check: a catastrophic pattern finishes (RE2 is linear) and decides like any other', async () => {
  const verdict = await regexVerdict(EVIL_TEXT, { pattern: CATASTROPHIC });
  assert.equal(verdict.outcome, 'failed', verdict.rationale);
  assert.match(verdict.rationale, /has no match for \/\^\(a\+\)\+\$\//);
  assert.equal((await regexVerdict('a'.repeat(40), { pattern: CATASTROPHIC })).outcome, 'passed');
});

test('the regex check: a refused pattern is an error verdict naming the unsupported syntax', async () => {
  const verdict = await regexVerdict('abab', { pattern: '(ab)\\1' });
  assert.equal(verdict.outcome, 'error');
  assert.match(verdict.rationale, /^with\.pattern: the pattern was refused: backreferences/);
  assert.equal((await regexVerdict('x', { pattern: 'x', flags: 'y' })).outcome, 'error', 'a sticky flag is rejected by the argument schema');
});

test('the regex check on a text over the scan limit: a match in the read part decides, "no match" is an error, never a pass', async () => {
  const long = `${'x'.repeat(REGEX_SCAN_LIMIT)}NEEDLE`;
  const early = await regexVerdict(`FOUND${long}`, { pattern: 'FOUND' });
  assert.equal(early.outcome, 'passed', early.rationale);
  const cut = await regexVerdict(long, { pattern: 'NEEDLE' });
  assert.equal(cut.outcome, 'error', cut.rationale);
  assert.match(cut.rationale, /stopped after 4,194,304 characters \(6 characters were not searched\).*cannot decide/);
  const forbidden = await regexVerdict(long, { pattern: 'NEEDLE', not: true });
  assert.equal(forbidden.outcome, 'error', 'with not: true an unread match must not become a pass');
});

test('search_trace_regex: RE2, refusals as tool errors, a cut search says its count is a lower bound', async () => {
  const b = new TraceBuilder();
  const root = b.span({ name: 'agent', spanType: 'AGENT', outputs: EVIL_TEXT });
  b.span({ parent: root, name: 'big', outputs: 'x'.repeat(REGEX_SCAN_LIMIT) });
  b.span({ parent: root, name: 'late', outputs: 'LATE' });
  const tools = new TraceToolbox(b.build());
  const evil = (await tools.call('search_trace_regex', JSON.stringify({ pattern: CATASTROPHIC, flags: '' }))) as { totalMatches: number; cut?: string };
  assert.equal(evil.totalMatches, 0);
  assert.match(evil.cut ?? '', /counts only the part that was read/);
  const refused = (await tools.call('search_trace_regex', JSON.stringify({ pattern: 'a(?=b)' }))) as { error?: string };
  assert.match(refused.error ?? '', /lookahead/);
  const found = (await tools.call('search_trace_regex', JSON.stringify({ pattern: 'a{40}' }))) as { totalMatches: number; matches: { name: string }[] };
  assert.deepEqual(found.matches.map((m) => m.name), ['agent']);
});

test("Refine's search and the trace viewer's search use the same engine", async () => {
  const ws = tempWorkspace({ 'agents/bot/prompt.md': `${EVIL_TEXT}\nBe helpful.\n` });
  try {
    const toolbox = new RefineToolbox(await SourceFolders.open(ws.dir, ['agents/bot']));
    const evil = (await toolbox.call('search', JSON.stringify({ pattern: CATASTROPHIC }))) as { totalMatches: number };
    assert.equal(evil.totalMatches, 0);
    const refused = (await toolbox.call('search', JSON.stringify({ pattern: '(h)\\1' }))) as { error?: string };
    assert.match(refused.error ?? '', /backreferences/);
  } finally {
    ws.dispose();
  }
  const b = new TraceBuilder();
  b.span({ name: EVIL_TEXT, spanType: 'AGENT' });
  const [span] = b.build().spans;
  const matches = spanMatcher({ query: CATASTROPHIC, regex: true, caseSensitive: true });
  assert.equal(typeof matches === 'function' && matches(span!), false);
  const refused = spanMatcher({ query: '(a)\\1', regex: true, caseSensitive: true });
  assert.match('error' in refused ? refused.error : '', /backreferences/);
});
