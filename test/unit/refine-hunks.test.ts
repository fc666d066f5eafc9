/** Hunks of a proposal: accepting or rejecting any of them is byte-exact, and a proposal survives the user's own edits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyHunks, computeHunks, rebaseProposal, splitLinesKeepingEnds } from '../../src/core/refine/hunks';

const ORIGINAL = '# Skill\n\n- trim: true\n- impute: mean\n- round: 2\n\nfooter\n';
const PROPOSED = '# Skill\n\n- trim: true\n- impute: median\n- round: 2\n\nfooter\n- new rule\n';

test('each separate change is its own hunk, with the exact text it removes and adds', () => {
  const hunks = computeHunks(ORIGINAL, PROPOSED);
  assert.equal(hunks.length, 2);
  assert.deepEqual(
    hunks.map((h) => ({ oldStart: h.oldStart, oldLines: h.oldLines, removed: h.removed, added: h.added })),
    [
      { oldStart: 3, oldLines: 1, removed: '- impute: mean\n', added: '- impute: median\n' },
      { oldStart: 7, oldLines: 0, removed: '', added: '- new rule\n' },
    ],
  );
});

test('accepting all gives the proposal, rejecting all gives the original, byte for byte', () => {
  const hunks = computeHunks(ORIGINAL, PROPOSED);
  assert.equal(applyHunks(ORIGINAL, hunks, () => true), PROPOSED);
  assert.equal(applyHunks(ORIGINAL, hunks, () => false), ORIGINAL);
});

test('accepting one hunk and rejecting the other changes only the accepted lines', () => {
  const hunks = computeHunks(ORIGINAL, PROPOSED);
  assert.equal(applyHunks(ORIGINAL, hunks, (h) => h.index === 0), ORIGINAL.replace('mean', 'median'));
  assert.equal(applyHunks(ORIGINAL, hunks, (h) => h.index === 1), `${ORIGINAL}- new rule\n`);
});

test('CRLF line endings and a missing final newline survive every subset of hunks', () => {
  const original = 'a\r\nb\r\nc\r\nd';
  const proposed = 'A\r\nb\r\nc\r\nd\r\ne';
  const hunks = computeHunks(original, proposed);
  assert.ok(hunks.length >= 2);
  for (let mask = 0; mask < 1 << hunks.length; mask++) {
    const text = applyHunks(original, hunks, (h) => (mask & (1 << h.index)) !== 0);
    // Every line of the result comes verbatim from one side: nothing gains or loses a \r.
    for (const line of splitLinesKeepingEnds(text)) assert.ok(original.includes(line) || proposed.includes(line), JSON.stringify(line));
  }
  assert.equal(applyHunks(original, hunks, () => true), proposed);
  assert.equal(applyHunks(original, hunks, () => false), original);
});

test('random texts: all hunks give the proposal, none give the original', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const words = ['alpha\n', 'beta\n', 'gamma\n', 'delta\r\n', '\n', 'eps'];
  const text = () => Array.from({ length: Math.floor(random() * 12) }, () => words[Math.floor(random() * words.length)]).join('');
  for (let i = 0; i < 300; i++) {
    const a = text();
    const b = text();
    const hunks = computeHunks(a, b);
    assert.equal(applyHunks(a, hunks, () => true), b, `${JSON.stringify(a)} → ${JSON.stringify(b)}`);
    assert.equal(applyHunks(a, hunks, () => false), a);
  }
});

test('a proposal is carried over when the user edits elsewhere: their edit is kept, the hunks still apply', () => {
  const edited = `intro by the user\n${ORIGINAL}`;
  const { proposed, dropped } = rebaseProposal(ORIGINAL, PROPOSED, edited);
  assert.deepEqual(dropped, []);
  assert.equal(proposed, `intro by the user\n${PROPOSED}`);
  const hunks = computeHunks(edited, proposed);
  assert.deepEqual(hunks.map((h) => h.oldStart), [4, 8], 'hunks moved down by the inserted line');
});

test('a hunk whose lines the user changed is dropped and reported; the others stay', () => {
  const edited = ORIGINAL.replace('- impute: mean', '- impute: mode');
  const { proposed, dropped } = rebaseProposal(ORIGINAL, PROPOSED, edited);
  assert.deepEqual(dropped.map((h) => h.removed), ['- impute: mean\n']);
  assert.equal(proposed, `${edited}- new rule\n`);
});

test('an edit on the line next to a hunk, made and then undone, leaves every hunk pending', () => {
  const withNote = `<!-- note -->\n${ORIGINAL}`;
  const first = rebaseProposal(ORIGINAL, PROPOSED, withNote);
  assert.deepEqual(first.dropped, []);
  const second = rebaseProposal(withNote, first.proposed, ORIGINAL);
  assert.deepEqual(second.dropped, []);
  assert.equal(second.proposed, PROPOSED);
});

test('applyHunks places a moved hunk exactly: the user deleting lines above shifts it up', () => {
  const edited = ORIGINAL.replace('# Skill\n\n', '');
  const { proposed, dropped } = rebaseProposal(ORIGINAL, PROPOSED, edited);
  assert.deepEqual(dropped, []);
  assert.equal(proposed, PROPOSED.replace('# Skill\n\n', ''));
});
