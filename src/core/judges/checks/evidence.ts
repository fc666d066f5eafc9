/**
 * Which spans a deterministic verdict cites, so the trace viewer opens on the evidence: for
 * an artifact the span that last wrote it (else last read it, else the root span, whose
 * artifacts name it); for the final output the span whose output holds the matched text
 * (else the root span, which carries the output); for stdout/stderr the root span.
 */
import { rootSpans, type Span, type Trace } from '../../trace/model';

const WRITES = /write|save|create|edit|put|append|patch|copy|move|rename/i;
/** Deeper values of a span's inputs are payloads, not the names of the files it touched. */
const MAX_DEPTH = 4;

export function rootEvidence(trace: Pick<Trace, 'spans'>): string[] {
  const root = rootSpans(trace)[0];
  return root ? [root.spanId] : [];
}

/** The span that last wrote `relativePath` (a '/'-separated sandbox path), else the last that read it, else the root span. */
export function artifactEvidence(trace: Pick<Trace, 'spans'>, relativePath: string): string[] {
  const root = rootSpans(trace)[0];
  const touching = trace.spans.filter((span) => span !== root && namesFile(span, relativePath)).sort(byStart);
  const writer = touching.filter((span) => WRITES.test(span.toolName ?? span.name)).at(-1);
  const chosen = writer ?? touching.at(-1);
  return chosen ? [chosen.spanId] : rootEvidence(trace);
}

/** The span below the root whose outputs contain `fragment` (the last to end), else the root span. */
export function outputEvidence(trace: Pick<Trace, 'spans'>, fragment: string | undefined): string[] {
  const root = rootSpans(trace)[0];
  if (fragment) {
    const holding = trace.spans.filter((span) => span !== root && span.outputs !== undefined && textOf(span.outputs).includes(fragment)).sort(byEnd);
    const last = holding.at(-1);
    if (last) return [last.spanId];
  }
  return rootEvidence(trace);
}

function namesFile(span: Span, relativePath: string): boolean {
  const matches = (value: string) => value === relativePath || value.endsWith(`/${relativePath}`) || value === `./${relativePath}`;
  return someString(span.inputs, matches, 0) || someString(span.attributes, matches, 0);
}

function someString(value: unknown, test: (s: string) => boolean, depth: number): boolean {
  if (typeof value === 'string') return test(value);
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return false;
  return Object.values(value as Record<string, unknown>).some((v) => someString(v, test, depth + 1));
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? '';
}

function compareNanos(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

const byStart = (a: Span, b: Span) => compareNanos(a.startTimeUnixNano, b.startTimeUnixNano);
const byEnd = (a: Span, b: Span) => compareNanos(a.endTimeUnixNano, b.endTimeUnixNano);
