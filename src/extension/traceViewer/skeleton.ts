/**
 * Turns a trace into the columnar skeleton the webview renders (see the protocol file).
 * No `vscode` import: the same code serves the extension, the tests and the benchmark.
 */
import type { Span, Trace } from '../../core/trace/model';
import { SPAN_TYPES, STATUS, type Skeleton } from '../../shared/traceViewerProtocol';

export interface IndexedTrace {
  trace: Trace;
  skeleton: Skeleton;
  /** spans[row] is the span shown on that row of the skeleton. */
  spans: Span[];
  rowOf: Map<string, number>;
  /** Trace start (earliest span start), nanoseconds since the epoch. */
  startNs: bigint;
}

const typeIndex = new Map<string, number>(SPAN_TYPES.map((t, i) => [t, i]));

export function indexTrace(trace: Trace): IndexedTrace {
  const byId = new Map<string, Span>();
  for (const span of trace.spans) byId.set(span.spanId, span);

  // Spans whose parent is missing from the trace (a partial export) are shown as roots
  // rather than dropped, so nothing recorded is ever hidden.
  const children = new Map<string | null, Span[]>();
  for (const span of trace.spans) {
    const parent = span.parentId !== null && byId.has(span.parentId) && span.parentId !== span.spanId ? span.parentId : null;
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(span);
  }
  const starts = new Map<Span, bigint>();
  const startOf = (s: Span): bigint => {
    let v = starts.get(s);
    if (v === undefined) starts.set(s, (v = BigInt(s.startTimeUnixNano)));
    return v;
  };
  for (const list of children.values()) list.sort((a, b) => (startOf(a) < startOf(b) ? -1 : startOf(a) > startOf(b) ? 1 : 0));

  let startNs: bigint | undefined;
  for (const span of trace.spans) {
    const s = startOf(span);
    if (startNs === undefined || s < startNs) startNs = s;
  }
  const origin = startNs ?? 0n;

  const skeleton: Skeleton = { ids: [], parents: [], names: [], types: [], status: [], startMs: [], durMs: [] };
  const spans: Span[] = [];
  const rowOf = new Map<string, number>();
  // Iterative pre-order walk: agent traces can nest deeper than the call stack allows.
  const stack: { span: Span; parentRow: number }[] = [];
  const pushChildren = (key: string | null, parentRow: number) => {
    const list = children.get(key);
    if (!list) return;
    for (let i = list.length - 1; i >= 0; i--) stack.push({ span: list[i]!, parentRow });
  };
  const drain = () => {
    while (stack.length > 0) {
      const { span, parentRow } = stack.pop()!;
      if (rowOf.has(span.spanId)) continue; // duplicate id or a cycle: show the first occurrence only
      const row = spans.length;
      rowOf.set(span.spanId, row);
      spans.push(span);
      skeleton.ids.push(span.spanId);
      skeleton.parents.push(parentRow);
      skeleton.names.push(span.name);
      skeleton.types.push(typeIndex.get(span.spanType) ?? 0);
      skeleton.status.push(STATUS[span.status.code] ?? STATUS.UNSET);
      const start = startOf(span);
      skeleton.startMs.push(Number(start - origin) / 1e6);
      skeleton.durMs.push(Math.max(0, Number(BigInt(span.endTimeUnixNano) - start) / 1e6));
      pushChildren(span.spanId, row);
    }
  };
  pushChildren(null, -1);
  drain();
  // Spans caught in a parent cycle are unreachable from any root: show them as roots too.
  for (const span of trace.spans) {
    if (!rowOf.has(span.spanId)) {
      stack.push({ span, parentRow: -1 });
      drain();
    }
  }
  return { trace, skeleton, spans, rowOf, startNs: origin };
}
