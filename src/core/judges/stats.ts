/**
 * Statistics for non-deterministic agents: a scenario runs `repeat: N` times and a pass rule
 * turns the attempts' outcomes into one outcome; reports show pass@k, pass^k and pass rates
 * with a Wilson interval (honest at small N, unlike the normal approximation).
 */
import type { PassRuleDef } from '../scenario/schema';
import type { Outcome } from './types';

export interface Interval {
  rate: number;
  low: number;
  high: number;
}

/** Wilson score interval of k successes in n trials (z = 1.96: 95%). n = 0 gives [0, 1]. */
export function wilsonInterval(k: number, n: number, z = 1.96): Interval {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || n < 0 || k > n) {
    throw new RangeError(`wilsonInterval expects integers 0 <= k <= n, got k=${k}, n=${n}`);
  }
  if (n === 0) return { rate: 0, low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** C(n, k) / C(m, k) computed as a running product, so large n never overflows. */
function combinationRatio(n: number, m: number, k: number): number {
  if (k > n) return 0;
  let ratio = 1;
  for (let i = 0; i < k; i++) ratio *= (n - i) / (m - i);
  return ratio;
}

function checkCounts(n: number, c: number, k: number): void {
  if (!(Number.isInteger(n) && Number.isInteger(c) && Number.isInteger(k)) || c < 0 || c > n || k < 1 || k > n) {
    throw new RangeError(`expected integers 0 <= c <= n and 1 <= k <= n, got n=${n}, c=${c}, k=${k}`);
  }
}

/**
 * pass@k: the chance that at least one of k attempts drawn from the n recorded ones passed
 * (the unbiased estimator 1 - C(n-c, k) / C(n, k), c = passing attempts).
 */
export function passAtK(n: number, c: number, k: number): number {
  checkCounts(n, c, k);
  return 1 - combinationRatio(n - c, n, k);
}

/** pass^k: the chance that all k attempts drawn from the n recorded ones passed (C(c, k) / C(n, k)). */
export function passHatK(n: number, c: number, k: number): number {
  checkCounts(n, c, k);
  return combinationRatio(c, n, k);
}

/**
 * Turns the outcomes of a scenario's attempts into one outcome.
 *
 * Skipped attempts don't count (all skipped → skipped). An errored attempt is an attempt whose
 * result is unknown: the rule is decided only if it would come out the same however the
 * errors had ended. Otherwise the outcome is 'error' — so an error can never become a pass
 * (nor a fail that might have been a pass).
 */
export function decidePassRule(rule: PassRuleDef, outcomes: readonly Outcome[]): Outcome {
  const counted = outcomes.filter((o) => o !== 'skipped');
  if (counted.length === 0) return 'skipped';
  const passed = counted.filter((o) => o === 'passed').length;
  const errors = counted.filter((o) => o === 'error').length;
  const n = counted.length;
  const holds = (passes: number): boolean => {
    if (rule === 'all') return passes === n;
    if ('at_least' in rule) return passes >= rule.at_least;
    return passes / n >= rule.rate;
  };
  const worst = holds(passed); // every error turned out a fail
  const best = holds(passed + errors); // every error turned out a pass
  if (worst) return 'passed';
  if (!best) return 'failed';
  return 'error';
}
