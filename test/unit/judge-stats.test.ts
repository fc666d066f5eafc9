import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decidePassRule, passAtK, passHatK, wilsonInterval } from '../../src/core/judges/stats';

const close = (actual: number, expected: number, digits = 4) =>
  assert.ok(Math.abs(actual - expected) < 10 ** -digits, `${actual} is not ≈ ${expected}`);

test('Wilson interval of 8/10 matches the textbook value [0.4902, 0.9433]', () => {
  const { rate, low, high } = wilsonInterval(8, 10);
  assert.equal(rate, 0.8);
  close(low, 0.4902);
  close(high, 0.9433);
});

test('Wilson interval of 0/10 starts at 0 and is not degenerate ([0, 0.2775])', () => {
  const { low, high } = wilsonInterval(0, 10);
  close(low, 0);
  close(high, 0.2775);
});

test('Wilson interval with no trials is the whole [0, 1]; impossible counts throw', () => {
  assert.deepEqual(wilsonInterval(0, 0), { rate: 0, low: 0, high: 1 });
  assert.throws(() => wilsonInterval(3, 2), /0 <= k <= n/);
});

test('pass@k is 1 - C(n-c,k)/C(n,k): 10 attempts, 3 passing, k=2 → 1 - 21/45', () => {
  close(passAtK(10, 3, 2), 1 - 21 / 45);
  assert.equal(passAtK(5, 0, 3), 0);
  assert.equal(passAtK(5, 3, 3), 1, 'only 2 failures: any 3 attempts include a pass');
  assert.equal(passAtK(4, 1, 1), 0.25);
});

test('pass^k is C(c,k)/C(n,k): 10 attempts, 3 passing, k=2 → 3/45', () => {
  close(passHatK(10, 3, 2), 3 / 45);
  assert.equal(passHatK(5, 5, 5), 1);
  assert.equal(passHatK(5, 2, 3), 0);
  assert.throws(() => passHatK(5, 2, 6), /1 <= k <= n/);
});

test('rule "all": every attempt must pass; a fail decides even next to errors', () => {
  assert.equal(decidePassRule('all', ['passed', 'passed']), 'passed');
  assert.equal(decidePassRule('all', ['passed', 'failed']), 'failed');
  assert.equal(decidePassRule('all', ['error', 'failed']), 'failed');
  assert.equal(decidePassRule('all', ['passed', 'error']), 'error');
});

test('rule at_least: errors never count as passes; undecidable → error', () => {
  assert.equal(decidePassRule({ at_least: 2 }, ['passed', 'failed', 'passed']), 'passed');
  assert.equal(decidePassRule({ at_least: 2 }, ['passed', 'error', 'error']), 'error');
  assert.equal(decidePassRule({ at_least: 3 }, ['passed', 'error', 'failed']), 'failed', 'even if the error had passed, 2 < 3');
  assert.equal(decidePassRule({ at_least: 1 }, ['error', 'passed']), 'passed', 'already reached whatever the error was');
});

test('rule rate: the share of counted attempts; skipped attempts are not counted', () => {
  assert.equal(decidePassRule({ rate: 0.8 }, ['passed', 'passed', 'passed', 'passed', 'failed']), 'passed');
  assert.equal(decidePassRule({ rate: 0.8 }, ['passed', 'passed', 'passed', 'failed', 'failed']), 'failed');
  assert.equal(decidePassRule({ rate: 0.8 }, ['passed', 'passed', 'passed', 'error', 'failed']), 'error');
  assert.equal(decidePassRule({ rate: 1 }, ['passed', 'skipped']), 'passed');
  assert.equal(decidePassRule('all', ['skipped', 'skipped']), 'skipped');
  assert.equal(decidePassRule('all', ['error']), 'error');
});
