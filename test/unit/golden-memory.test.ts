import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bm25Index } from '../../src/core/golden/align/bm25';
import { ExampleRetriever, stripGuidelines, unlearn, withGuidelines, type JudgeMemory } from '../../src/core/golden/align/memory';
import { splitStratified } from '../../src/core/golden/align/split';
import { bumpVersion, proposeJudgeFile } from '../../src/core/golden/align/judgeFileEdit';
import { dominates, paretoFront } from '../../src/core/golden/align/instructions';

const id = (c: string) => c.repeat(32);

test('unlearning drops removed examples and only the guidelines whose sources are all gone', () => {
  const memory: JudgeMemory = {
    judgeId: 'j',
    judgeVersion: '2',
    guidelines: [
      { text: 'from a and b', sources: [id('a'), id('b')] },
      { text: 'from a only', sources: [id('a')] },
      { text: 'from c', sources: [id('c')] },
    ],
    examples: [id('a'), id('b'), id('c')].map((traceId) => ({ traceId, text: traceId, value: 'yes', rationale: '' })),
  };
  const after = unlearn(memory, new Set([id('a')]));
  assert.deepEqual(after.guidelines.map((g) => g.text), ['from a and b', 'from c'], 'b still backs the first guideline');
  assert.deepEqual(after.examples.map((e) => e.traceId), [id('b'), id('c')]);
  assert.deepEqual(unlearn(memory, new Set([id('a'), id('b')])).guidelines.map((g) => g.text), ['from c']);
});

test('guidelines are a block at the end of the instructions that a new alignment replaces', () => {
  const base = 'Judge {{ outputs }}.\n';
  const once = withGuidelines(base, [{ text: 'Be strict.', sources: [id('a')] }]);
  assert.equal(once, `Judge {{ outputs }}.\n\nGuidelines learned from expert labels (costar align; sources are trace ids):\n- Be strict. [sources: ${id('a')}]\n`);
  assert.equal(stripGuidelines(once), base);
  const twice = withGuidelines(once, [{ text: 'Be fair.', sources: [id('b')] }]);
  assert.equal((twice.match(/Guidelines learned/g) ?? []).length, 1);
  assert.match(twice, /Be fair\./);
  assert.doesNotMatch(twice, /Be strict\./);
});

test('BM25 ranks documents sharing rare query terms first and leaves out unrelated ones', () => {
  const index = new Bm25Index(['filled income with the median', 'dropped duplicate rows', 'the the the data', 'median of income per region']);
  assert.deepEqual(index.search('which median filled income', 3), [0, 3]);
  assert.deepEqual(index.search('nothing in common', 3), []);
});

test('the retriever never returns the trace being judged as its own example', async () => {
  const examples = ['median fill', 'median fill again', 'dropped rows'].map((text, i) => ({ traceId: id(String(i)), text, value: 'yes', rationale: '' }));
  const retriever = await ExampleRetriever.create(examples);
  assert.equal(retriever.method, 'bm25');
  assert.deepEqual((await retriever.similar('median fill', 2, id('0'))).map((e) => e.traceId), [id('1')]);
});

test('retrieval uses embeddings when an embedder is given (cosine similarity)', async () => {
  const vectors: Record<string, number[]> = { north: [1, 0], south: [-1, 0], east: [0, 1], 'north-ish': [0.9, 0.1] };
  const retriever = await ExampleRetriever.create(['north', 'south', 'east'].map((text, i) => ({ traceId: id(String(i)), text, value: 'yes', rationale: '' })), async (texts) => texts.map((t) => vectors[t]!));
  assert.equal(retriever.method, 'embeddings');
  assert.deepEqual((await retriever.similar('north-ish', 2)).map((e) => e.text), ['north', 'east']);
});

test('the split is stratified, deterministic per seed, and keeps single-member classes in train', () => {
  const items = [...Array.from({ length: 9 }, (_, i) => ({ traceId: `y${i}`, value: 'yes' })), ...Array.from({ length: 6 }, (_, i) => ({ traceId: `n${i}`, value: 'no' })), { traceId: 'm0', value: 'maybe' }];
  const a = splitStratified(items, 's');
  assert.deepEqual(a, splitStratified(items, 's'));
  assert.equal(a.heldOut.filter((x) => x.value === 'yes').length, 3);
  assert.equal(a.heldOut.filter((x) => x.value === 'no').length, 2);
  assert.ok(a.train.some((x) => x.value === 'maybe'));
  assert.equal(a.train.length + a.heldOut.length, items.length);
  assert.notDeepEqual(splitStratified(items, 'other').heldOut, a.heldOut);
});

test('Pareto front: a candidate stays unless another is right everywhere it is and more', () => {
  assert.equal(dominates([true, true, false], [true, false, false]), true);
  assert.equal(dominates([true, false], [false, true]), false);
  assert.deepEqual(paretoFront([{ correct: [true, false, false] }, { correct: [true, true, false] }, { correct: [false, false, true] }]), [1, 2]);
});

test('the proposed judge file keeps comments and key order, bumps the version, and comes as a unified diff', () => {
  const original = '# my judge\nid: q\nkind: llm\nversion: 3 # bump me\ninstructions: |\n  Old {{ outputs }}\nvalue: yes/no\n';
  const proposal = proposeJudgeFile(original, 'judges/q.judge.yaml', 'New {{ outputs }}\nand more\n', '3');
  assert.equal(proposal.version, '4');
  assert.equal(proposal.text, '# my judge\nid: q\nkind: llm\nversion: 4 # bump me\ninstructions: |\n  New {{ outputs }}\n  and more\nvalue: yes/no\n');
  assert.match(proposal.diff, /^--- judges\/q\.judge\.yaml\tversion 3$/m);
  assert.match(proposal.diff, /^-  Old \{\{ outputs \}\}$/m);
  assert.equal(bumpVersion('v2'), 'v3');
  assert.equal(bumpVersion('1.4'), '1.5');
  assert.equal(bumpVersion('beta'), 'beta.1');
});
