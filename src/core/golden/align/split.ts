/**
 * Deterministic, stratified splits of labelled traces: each class is ordered by a seeded hash
 * of the trace id and every third trace of it goes to the held-out side, so both sides see
 * every class and the same labels always give the same split (results are reproducible, and
 * adding a label moves few others).
 */
import { createHash } from 'node:crypto';
import { keyOf, type RatedValue } from '../kappa';

export interface Labelled {
  traceId: string;
  value: RatedValue;
}

export function splitStratified<T extends Labelled>(items: readonly T[], seed: string, heldOutShare = 1 / 3): { train: T[]; heldOut: T[] } {
  const byClass = new Map<string, T[]>();
  for (const item of items) {
    const list = byClass.get(keyOf(item.value)) ?? [];
    list.push(item);
    byClass.set(keyOf(item.value), list);
  }
  const train: T[] = [];
  const heldOut: T[] = [];
  for (const key of [...byClass.keys()].sort()) {
    const list = byClass.get(key)!.sort((a, b) => rank(seed, a.traceId).localeCompare(rank(seed, b.traceId)));
    // A class of one goes to train: the judge can learn from it, held-out κ can't use it anyway.
    const take = list.length < 2 ? 0 : Math.max(1, Math.round(list.length * heldOutShare));
    heldOut.push(...list.slice(0, take));
    train.push(...list.slice(take));
  }
  return { train, heldOut };
}

function rank(seed: string, traceId: string): string {
  return createHash('sha256').update(`${seed}\0${traceId}`).digest('hex');
}
