import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cohensKappa } from '../../src/core/golden/kappa';
import { interLabellerAgreement, resolveLabels } from '../../src/core/golden/resolve';
import { computeAgreement, formatAgreement } from '../../src/core/golden/agreement';
import type { GoldenLabel } from '../../src/core/golden/label';
import type { JudgeOpinion } from '../../src/core/golden/judgeVerdicts';

const close = (actual: number | null | undefined, expected: number, message?: string) => {
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) < 1e-6, `${message ?? 'value'}: expected ${expected}, got ${actual}`);
};

const tid = (n: number) => n.toString(16).padStart(32, '0');

function label(trace: number, labeller: string, value: GoldenLabel['value'], minute: number, rationale = `${labeller} says ${String(value)}`): GoldenLabel {
  return {
    traceRef: { traceId: tid(trace), contentHash: '0'.repeat(64), scenarioId: `s${trace}` },
    judgeId: 'j',
    judgeVersion: '1',
    value,
    rationale,
    labeller,
    time: new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString(),
  };
}

function pairs(counts: [string, string, number][]): [string, string][] {
  return counts.flatMap(([a, b, n]) => Array.from({ length: n }, () => [a, b] as [string, string]));
}

test('κ, accuracy, interval and confusion matrix of a 2×2 table, by hand', () => {
  // human yes/judge yes 4, yes/no 1, no/yes 2, no/no 3 (n = 10)
  // pₒ = 7/10; rows yes 5, no 5; columns yes 6, no 4; pₑ = .5·.6 + .5·.4 = .5; κ = .2/.5 = .4
  // SE = √(.7·.3 / (10·.25)) = √.084 = .289828; CI = .4 ± 1.959964·.289828
  const r = cohensKappa(pairs([['yes', 'yes', 4], ['yes', 'no', 1], ['no', 'yes', 2], ['no', 'no', 3]]), ['yes', 'no']);
  assert.equal(r.n, 10);
  assert.equal(r.agreed, 7);
  close(r.accuracy, 0.7, 'accuracy');
  close(r.kappa, 0.4, 'κ');
  close(r.ci?.[0], 0.4 - 1.959964 * Math.sqrt(0.084), 'CI low');
  close(r.ci?.[1], 0.4 + 1.959964 * Math.sqrt(0.084), 'CI high');
  assert.deepEqual(r.categories, ['yes', 'no']);
  assert.deepEqual(r.matrix, [[4, 1], [2, 3]]);
});

test('κ of a 3-category table, by hand', () => {
  // rows (A): a 3, b 3, c 2; columns (B): a 2, b 4, c 2; diagonal 2+2+1 = 5 of 8
  // pₑ = (3·2 + 3·4 + 2·2)/64 = 22/64; κ = (5/8 − 22/64)/(1 − 22/64) = (40 − 22)/(64 − 22) = 18/42
  const r = cohensKappa(pairs([['a', 'a', 2], ['a', 'b', 1], ['b', 'b', 2], ['b', 'c', 1], ['c', 'c', 1], ['c', 'b', 1]]), ['a', 'b', 'c']);
  close(r.kappa, 18 / 42, 'κ');
  assert.deepEqual(r.matrix, [[2, 1, 0], [0, 2, 1], [0, 1, 1]]);
});

test('perfect agreement has κ 1 and a zero-width interval; systematic opposite answers have κ −1', () => {
  const perfect = cohensKappa(pairs([['yes', 'yes', 3], ['no', 'no', 2]]));
  close(perfect.kappa, 1);
  assert.deepEqual(perfect.ci, [1, 1]);
  const opposite = cohensKappa(pairs([['yes', 'no', 2], ['no', 'yes', 2]]));
  close(opposite.kappa, -1);
});

test('degenerate: one class used by both raters leaves κ undefined, with the reason, and accuracy 100 %', () => {
  const r = cohensKappa(pairs([['yes', 'yes', 5]]));
  assert.equal(r.kappa, null);
  assert.equal(r.ci, null);
  close(r.accuracy, 1);
  assert.match(r.note ?? '', /only "yes"/);
});

test('degenerate: one class for one rater only still has a κ (0 when the other varies)', () => {
  // A always yes; B yes 2, no 1. pₒ = 2/3, pₑ = 1·2/3 = 2/3 → κ = 0
  const r = cohensKappa(pairs([['yes', 'yes', 2], ['yes', 'no', 1]]));
  close(r.kappa, 0);
});

test('degenerate: n = 0 gives nulls, n = 1 gives no interval', () => {
  const none = cohensKappa([]);
  assert.deepEqual([none.n, none.accuracy, none.kappa, none.ci], [0, null, null, null]);
  const one = cohensKappa([[true, false]]);
  assert.equal(one.ci, null);
  close(one.accuracy, 0);
  assert.match(one.note ?? '', /single item/);
  assert.deepEqual(one.categories, [false, true], 'unknown order: false before true');
});

test('conflicting labels: majority wins; a tie goes to the most recent; each is listed with how', () => {
  const { resolved, conflicts } = resolveLabels([
    label(1, 'ana', 'yes', 1), label(1, 'bo', 'no', 2), label(1, 'cy', 'yes', 3), // majority yes
    label(2, 'ana', 'no', 5), label(2, 'bo', 'yes', 4), // tie → ana's newer "no"
    label(3, 'ana', 'yes', 1), label(3, 'ana', 'no', 9), // ana changed her mind: only her latest counts, no conflict
  ]);
  assert.deepEqual(resolved.map((r) => [r.traceId, r.value]), [[tid(1), 'yes'], [tid(2), 'no'], [tid(3), 'no']]);
  assert.deepEqual(resolved[0]!.rationales, ['cy says yes', 'ana says yes']);
  assert.deepEqual(conflicts, [
    { traceId: tid(1), votes: [{ value: 'yes', labellers: ['cy', 'ana'] }, { value: 'no', labellers: ['bo'] }], resolved: 'yes', how: 'majority' },
    { traceId: tid(2), votes: [{ value: 'no', labellers: ['ana'] }, { value: 'yes', labellers: ['bo'] }], resolved: 'no', how: 'most recent of a tie' },
  ]);
});

test('inter-labeller κ pairs labellers on the traces they both labelled', () => {
  // ana vs bo on traces 1–4: (yes,yes) (no,no) (yes,no) (no,no) → pₒ = 3/4; rows yes 2 no 2; cols yes 1 no 3
  // pₑ = .5·.25 + .5·.75 = .5 → κ = .25/.5 = .5
  const labels = [
    label(1, 'ana', 'yes', 1), label(1, 'bo', 'yes', 1),
    label(2, 'ana', 'no', 1), label(2, 'bo', 'no', 1),
    label(3, 'ana', 'yes', 1), label(3, 'bo', 'no', 1),
    label(4, 'ana', 'no', 1), label(4, 'bo', 'no', 1),
    label(5, 'cy', 'yes', 1),
  ];
  const result = interLabellerAgreement(labels, ['yes', 'no']);
  assert.equal(result.length, 1, 'cy shares no trace with anyone');
  assert.deepEqual([result[0]!.a, result[0]!.b, result[0]!.result.n], ['ana', 'bo', 4]);
  close(result[0]!.result.kappa, 0.5);
});

test('judge vs human: resolved labels against opinions, disagreements carry both rationales, unjudged traces are listed apart', () => {
  const labels = [label(1, 'ana', 'yes', 1), label(2, 'ana', 'no', 1, 'misses the filled values'), label(3, 'ana', 'yes', 1), label(4, 'ana', 'no', 1)];
  const opinions = new Map<string, JudgeOpinion>([
    [tid(1), { traceId: tid(1), value: 'yes', rationale: 'ok', judgeVersion: '1', source: 'run-1' }],
    [tid(2), { traceId: tid(2), value: 'yes', rationale: 'lists the dropped rows', judgeVersion: '1', source: 'run-1' }],
    [tid(3), { traceId: tid(3), value: 'yes', rationale: 'ok', judgeVersion: '2', source: 'run-2' }],
  ]);
  const report = computeAgreement('j', labels, opinions, ['yes', 'no']);
  assert.equal(report.labelledTraces, 4);
  assert.deepEqual(report.unjudged, [tid(4)]);
  assert.equal(report.judgeVsHuman.n, 3);
  assert.deepEqual(report.judgeVsHuman.matrix, [[2, 0], [1, 0]]);
  close(report.judgeVsHuman.kappa, 0, 'a judge that always says yes agrees only by chance');
  assert.deepEqual(report.disagreements, [{ traceId: tid(2), scenarioId: 's2', human: 'no', judge: 'yes', humanRationales: ['misses the filled values'], judgeRationale: 'lists the dropped rows' }]);
  assert.deepEqual(report.judgeVersions, ['1', '2']);
  const text = formatAgreement(report);
  assert.match(text, /accuracy 66\.7 %/);
  assert.match(text, /human: misses the filled values/);
  assert.match(text, /judge: lists the dropped rows/);
  assert.match(text, /1 labelled trace\(s\) have no verdict/);
});
