import { createHash } from 'node:crypto';
import type { Trace } from './model';

/**
 * A stable content hash of a trace: sha256 of canonical JSON (object keys sorted, no whitespace)
 * of the spans, artifacts and info. Tags and MLflow assessments are left out because they are
 * mutable annotations (labels, notes, feedback) added after the fact; changing them must not
 * invalidate cached judge results or golden-set references to the same recorded behaviour.
 */
export function traceContentHash(trace: Trace): string {
  const { tags: _tags, assessments: _assessments, ...info } = trace.info;
  return createHash('sha256').update(canonicalJson({ info, spans: trace.spans, artifacts: trace.artifacts })).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}
