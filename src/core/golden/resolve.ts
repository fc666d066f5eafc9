/**
 * From the labels of one judge to one human answer per trace. A trace may carry several
 * labels (several labellers, or one labeller changing their mind):
 *  - each labeller counts once, with their most recent label;
 *  - the value most labellers gave wins; a tie goes to the tied value labelled most recently;
 *  - every trace where labellers disagree is listed as a conflict, with how it was resolved.
 */
import type { GoldenLabel } from './label';
import { cohensKappa, keyOf, type KappaResult, type RatedValue } from './kappa';

export interface ResolvedLabel {
  traceId: string;
  value: RatedValue;
  /** Rationales of the labellers who gave the winning value, newest first. */
  rationales: string[];
  /** The labels that count (one per labeller), newest first. */
  labels: GoldenLabel[];
}

export interface LabelConflict {
  traceId: string;
  votes: { value: RatedValue; labellers: string[] }[];
  resolved: RatedValue;
  how: 'majority' | 'most recent of a tie';
}

export interface InterLabellerAgreement {
  a: string;
  b: string;
  result: KappaResult;
}

/** The latest label of each labeller for each trace, in file order of traces. */
export function latestPerLabeller(labels: readonly GoldenLabel[]): Map<string, GoldenLabel[]> {
  const byTrace = new Map<string, Map<string, GoldenLabel>>();
  for (const label of labels) {
    let perLabeller = byTrace.get(label.traceRef.traceId);
    if (!perLabeller) byTrace.set(label.traceRef.traceId, (perLabeller = new Map()));
    const previous = perLabeller.get(label.labeller);
    if (!previous || Date.parse(label.time) >= Date.parse(previous.time)) perLabeller.set(label.labeller, label);
  }
  return new Map([...byTrace].map(([traceId, m]) => [traceId, [...m.values()].sort((x, y) => Date.parse(y.time) - Date.parse(x.time))]));
}

export function resolveLabels(labels: readonly GoldenLabel[]): { resolved: ResolvedLabel[]; conflicts: LabelConflict[] } {
  const resolved: ResolvedLabel[] = [];
  const conflicts: LabelConflict[] = [];
  for (const [traceId, current] of latestPerLabeller(labels)) {
    // `current` is newest first, so the first label seen of each value is that value's most recent.
    const votes = new Map<string, { value: RatedValue; labellers: string[]; newest: number }>();
    for (const label of current) {
      const key = keyOf(label.value);
      const vote = votes.get(key) ?? { value: label.value, labellers: [], newest: Date.parse(label.time) };
      vote.labellers.push(label.labeller);
      votes.set(key, vote);
    }
    const ranked = [...votes.values()].sort((x, y) => y.labellers.length - x.labellers.length || y.newest - x.newest);
    const winner = ranked[0]!;
    resolved.push({
      traceId,
      value: winner.value,
      rationales: current.filter((l) => keyOf(l.value) === keyOf(winner.value)).map((l) => l.rationale).filter((r) => r.trim() !== ''),
      labels: current,
    });
    if (ranked.length > 1) {
      conflicts.push({
        traceId,
        votes: ranked.map((v) => ({ value: v.value, labellers: v.labellers })),
        resolved: winner.value,
        how: ranked[1]!.labellers.length === winner.labellers.length ? 'most recent of a tie' : 'majority',
      });
    }
  }
  return { resolved, conflicts };
}

/** Cohen's κ for every pair of labellers who labelled at least one trace in common. */
export function interLabellerAgreement(labels: readonly GoldenLabel[], order: readonly RatedValue[] = []): InterLabellerAgreement[] {
  const perTrace = latestPerLabeller(labels);
  const labellers = [...new Set(labels.map((l) => l.labeller))].sort();
  const results: InterLabellerAgreement[] = [];
  for (let i = 0; i < labellers.length; i++) {
    for (let j = i + 1; j < labellers.length; j++) {
      const a = labellers[i]!;
      const b = labellers[j]!;
      const pairs: [RatedValue, RatedValue][] = [];
      for (const current of perTrace.values()) {
        const la = current.find((l) => l.labeller === a);
        const lb = current.find((l) => l.labeller === b);
        if (la && lb) pairs.push([la.value, lb.value]);
      }
      if (pairs.length > 0) results.push({ a, b, result: cohensKappa(pairs, order) });
    }
  }
  return results;
}
