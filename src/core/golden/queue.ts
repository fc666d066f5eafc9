/**
 * The uncertainty-first labeling queue: the traces where a human label teaches the most come
 * first. Three signals, each optional:
 *  - sample disagreement: the judge asked several times (temperature > 0) gives different
 *    values — 1 − (share of the most common value), scaled so an even split is 1;
 *  - stated confidence: the judge's own confidence in its value, low is uncertain;
 *  - judge disagreement: the judges that assessed the trace split between passed and failed.
 * score = 1.0·samples + 0.5·(1 − confidence) + 0.75·judges; every item lists its reasons,
 * strongest first, so the panel can say why it is where it is.
 */
import { keyOf, type RatedValue } from './kappa';
import type { Outcome } from '../judges/types';

export interface QueueSignals {
  traceId: string;
  /** The judge's values from repeated sampling. */
  samples?: RatedValue[];
  /** Mean stated confidence (0–1) over the samples. */
  confidence?: number;
  /** Outcomes of the judges (this one included) that assessed the trace in the latest report that has it. */
  judgeOutcomes?: { judgeId: string; outcome: Outcome }[];
  /** Newer traces first among equals (ms since the epoch). */
  time?: number;
}

export interface QueueItem {
  traceId: string;
  score: number;
  /** Why the item is where it is, strongest reason first. */
  reasons: string[];
  signals: QueueSignals;
}

const WEIGHTS = { samples: 1, confidence: 0.5, judges: 0.75 };

export function rankQueue(candidates: readonly QueueSignals[]): QueueItem[] {
  return candidates
    .map((signals) => {
      const parts: { weight: number; reason: string }[] = [];
      const samples = signals.samples ?? [];
      if (samples.length >= 2) {
        const counts = new Map<string, { value: RatedValue; n: number }>();
        for (const v of samples) counts.set(keyOf(v), { value: v, n: (counts.get(keyOf(v))?.n ?? 0) + 1 });
        const ranked = [...counts.values()].sort((a, b) => b.n - a.n);
        const classes = Math.min(samples.length, Math.max(2, counts.size));
        const disagreement = (1 - ranked[0]!.n / samples.length) / (1 - 1 / classes);
        if (disagreement > 0) {
          parts.push({ weight: WEIGHTS.samples * disagreement, reason: `the judge disagrees with itself: ${ranked.map((r) => `${r.n}× ${String(r.value)}`).join(', ')} in ${samples.length} samples` });
        }
      }
      if (signals.confidence !== undefined && signals.confidence < 1) {
        parts.push({ weight: WEIGHTS.confidence * (1 - signals.confidence), reason: `the judge's stated confidence is ${Math.round(signals.confidence * 100)} %` });
      }
      const outcomes = (signals.judgeOutcomes ?? []).filter((o) => o.outcome === 'passed' || o.outcome === 'failed');
      const failed = outcomes.filter((o) => o.outcome === 'failed');
      const passed = outcomes.filter((o) => o.outcome === 'passed');
      if (failed.length > 0 && passed.length > 0) {
        parts.push({
          weight: WEIGHTS.judges * (2 * Math.min(failed.length, passed.length)) / outcomes.length,
          reason: `judges disagree: ${passed.map((o) => o.judgeId).join(', ')} passed, ${failed.map((o) => o.judgeId).join(', ')} failed`,
        });
      }
      parts.sort((a, b) => b.weight - a.weight);
      const score = parts.reduce((s, p) => s + p.weight, 0);
      return { traceId: signals.traceId, score, reasons: parts.length > 0 ? parts.map((p) => p.reason) : ['no sign of uncertainty: newest first'], signals };
    })
    .sort((a, b) => b.score - a.score || (b.signals.time ?? 0) - (a.signals.time ?? 0) || a.traceId.localeCompare(b.traceId));
}
