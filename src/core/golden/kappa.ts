/**
 * Agreement between two raters on the same items: accuracy, Cohen's κ with an approximate
 * 95 % interval, and the confusion matrix. Values are compared exactly (a number judge's
 * values are treated as categories; there is no weighting of near misses).
 *
 *   κ  = (pₒ − pₑ) / (1 − pₑ)         pₒ observed agreement, pₑ agreement expected by chance
 *   SE = √(pₒ(1 − pₒ) / (n (1 − pₑ)²)) Cohen's (1960) large-sample approximation
 *   CI = κ ± 1.96·SE, clipped to [−1, 1]
 *
 * Degenerate cases are answered, not computed into NaN: with no items everything is null;
 * when both raters used one and the same single class (pₑ = 1) κ is undefined (null) and
 * `note` says why; with fewer than two items there is no interval.
 */

export type RatedValue = boolean | string | number;

export interface Confusion {
  /** Category values, in the order of the matrix's rows and columns. */
  categories: RatedValue[];
  /** matrix[i][j]: items rater A put in categories[i] and rater B in categories[j]. */
  matrix: number[][];
}

export interface KappaResult extends Confusion {
  n: number;
  agreed: number;
  accuracy: number | null;
  kappa: number | null;
  /** Approximate 95 % interval of κ. */
  ci: [number, number] | null;
  /** Why κ or its interval is missing, when it is. */
  note?: string;
}

const Z95 = 1.959964;

/** Cohen's κ of paired ratings [rater A, rater B]; `order` fixes the category order (others follow, sorted). */
export function cohensKappa(pairs: ReadonlyArray<readonly [RatedValue, RatedValue]>, order: readonly RatedValue[] = []): KappaResult {
  const categories = categoryOrder(pairs.flatMap(([a, b]) => [a, b]), order);
  const index = new Map(categories.map((c, i) => [keyOf(c), i]));
  const matrix = categories.map(() => categories.map(() => 0));
  for (const [a, b] of pairs) matrix[index.get(keyOf(a))!]![index.get(keyOf(b))!]!++;
  const n = pairs.length;
  if (n === 0) return { n, agreed: 0, accuracy: null, kappa: null, ci: null, categories, matrix, note: 'no items rated by both' };

  let agreed = 0;
  for (let i = 0; i < categories.length; i++) agreed += matrix[i]![i]!;
  const po = agreed / n;
  let pe = 0;
  for (let i = 0; i < categories.length; i++) {
    const row = matrix[i]!.reduce((s, v) => s + v, 0);
    const column = matrix.reduce((s, r) => s + r[i]!, 0);
    pe += (row / n) * (column / n);
  }
  if (pe >= 1 - 1e-12) {
    return { n, agreed, accuracy: po, kappa: null, ci: null, categories, matrix, note: `κ is undefined: both raters used only "${String(categories[0])}", so agreement by chance is already 100 %` };
  }
  const kappa = (po - pe) / (1 - pe);
  if (n < 2) return { n, agreed, accuracy: po, kappa, ci: null, categories, matrix, note: 'no interval from a single item' };
  const se = Math.sqrt((po * (1 - po)) / (n * (1 - pe) ** 2));
  const ci: [number, number] = [Math.max(-1, kappa - Z95 * se), Math.min(1, kappa + Z95 * se)];
  return { n, agreed, accuracy: po, kappa, ci, categories, matrix };
}

/** Known categories first in the given order, then any others sorted (false before true, numbers ascending). */
export function categoryOrder(values: readonly RatedValue[], order: readonly RatedValue[] = []): RatedValue[] {
  const seen = new Map<string, RatedValue>();
  for (const v of values) seen.set(keyOf(v), v);
  const ordered = order.filter((v) => seen.has(keyOf(v)));
  const known = new Set(ordered.map(keyOf));
  const rest = [...seen.values()].filter((v) => !known.has(keyOf(v))).sort(compareValues);
  return [...ordered, ...rest];
}

export function keyOf(value: RatedValue): string {
  return JSON.stringify(value);
}

function compareValues(a: RatedValue, b: RatedValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}
