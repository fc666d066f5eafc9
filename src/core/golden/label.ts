/**
 * One human label of one trace for one judge: a line of `golden/<judge-id>.jsonl`.
 *
 * The trace reference carries the trace's content hash, so a label can tell whether the
 * trace it was given for is still the same recorded behaviour (traces can be re-imported).
 * The value has the judge's value type (bool, yes/no, a number in range, a category);
 * it is checked against the judge when the label is written, not here, so a label survives
 * a judge file that was edited later.
 */
import { z } from 'zod';
import { META, type Trace } from '../trace/model';
import { traceContentHash } from '../trace/hash';

export const TraceRef = z.strictObject({
  runId: z.string().min(1).optional(),
  scenarioId: z.string().min(1).optional(),
  traceId: z.string().regex(/^[0-9a-f]{32}$/, 'expected a trace id of 32 lowercase hex digits'),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 content hash of 64 lowercase hex digits'),
});
export type TraceRef = z.output<typeof TraceRef>;

/** The reference a label given now keeps to a stored trace. */
export function traceRefOf(trace: Trace): TraceRef {
  return {
    ...(trace.info.metadata[META.runId] ? { runId: trace.info.metadata[META.runId] } : {}),
    ...(trace.info.metadata[META.scenarioId] ? { scenarioId: trace.info.metadata[META.scenarioId] } : {}),
    traceId: trace.info.traceId,
    contentHash: traceContentHash(trace),
  };
}

export const LabelValue = z.union([z.boolean(), z.string().min(1), z.number()]);
export type LabelValue = z.output<typeof LabelValue>;

export const GoldenLabel = z.strictObject({
  traceRef: TraceRef,
  judgeId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a judge id'),
  judgeVersion: z.string().min(1),
  value: LabelValue,
  rationale: z.string(),
  labeller: z.string().min(1, 'expected who labelled it'),
  /** ISO 8601 time the label was given. */
  time: z.iso.datetime({ offset: true }),
});
export type GoldenLabel = z.output<typeof GoldenLabel>;

/** Identifies one label line among all labels of a judge: the same labeller never labels one trace twice in the same millisecond. */
export function labelKey(label: Pick<GoldenLabel, 'traceRef' | 'labeller' | 'time'>): string {
  return `${label.traceRef.traceId}|${label.labeller}|${label.time}`;
}
