/**
 * Which production traces a judge scores. The decision hashes the trace id only (never the
 * judge), so it is the same on every run and machine, and sampling is nested: a judge at
 * rate 0.5 scores every trace a judge at rate 0.1 scores, plus others — two judges' pass
 * rates are then comparable on the traces they share.
 */
import { createHash } from 'node:crypto';
import { rootSpans, type Trace } from '../trace/model';
import type { MonitorJudge, TraceFilter } from './config';

/** A number in [0, 1) fixed by the trace id. */
export function samplePoint(traceId: string): number {
  return createHash('sha256').update(traceId.toLowerCase()).digest().readUInt32BE(0) / 2 ** 32;
}

export function isSampled(traceId: string, rate: number): boolean {
  return samplePoint(traceId) < rate;
}

export function matchesFilter(trace: Trace, filter: TraceFilter | undefined): boolean {
  if (!filter) return true;
  for (const [key, value] of Object.entries(filter.metadata ?? {})) if (trace.info.metadata[key] !== value) return false;
  for (const [key, value] of Object.entries(filter.tags ?? {})) if (trace.info.tags[key] !== value) return false;
  if (filter.rootSpan !== undefined && !rootSpans(trace).some((s) => s.name === filter.rootSpan)) return false;
  return true;
}

export function judgeSees(judge: MonitorJudge, trace: Trace): boolean {
  return isSampled(trace.info.traceId, judge.rate) && matchesFilter(trace, judge.filter);
}
