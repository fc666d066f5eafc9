/**
 * Turns a trace into the columnar skeleton the webview renders (see the protocol file).
 * No `vscode` import: the same code serves the extension, the tests and the benchmark.
 */
import type { Span, Trace } from '../../core/trace/model';
import { STATUS, type Skeleton } from '../../shared/traceViewerProtocol';
import { treeOrder } from '../../core/trace/treeOrder';
import { spanTypeIndex } from '../../core/trace/outline';

export interface IndexedTrace {
  trace: Trace;
  skeleton: Skeleton;
  /** spans[row] is the span shown on that row of the skeleton. */
  spans: Span[];
  rowOf: Map<string, number>;
  /** Trace start (earliest span start), nanoseconds since the epoch. */
  startNs: bigint;
}

export function indexTrace(trace: Trace): IndexedTrace {
  let origin: bigint | undefined;
  const nodes = trace.spans.map((span) => {
    const startNs = BigInt(span.startTimeUnixNano);
    if (origin === undefined || startNs < origin) origin = startNs;
    return { spanId: span.spanId, parentId: span.parentId, startNs };
  });
  const startNs = origin ?? 0n;
  const { order, parents } = treeOrder(nodes);
  const skeleton: Skeleton = { ids: [], parents, names: [], types: [], status: [], startMs: [], durMs: [] };
  const spans: Span[] = [];
  const rowOf = new Map<string, number>();
  for (const index of order) {
    const span = trace.spans[index]!;
    rowOf.set(span.spanId, spans.length);
    spans.push(span);
    skeleton.ids.push(span.spanId);
    skeleton.names.push(span.name);
    skeleton.types.push(spanTypeIndex(span.spanType));
    skeleton.status.push(STATUS[span.status.code] ?? STATUS.UNSET);
    const start = nodes[index]!.startNs;
    skeleton.startMs.push(Number(start - startNs) / 1e6);
    skeleton.durMs.push(Math.max(0, Number(BigInt(span.endTimeUnixNano) - start) / 1e6));
  }
  return { trace, skeleton, spans, rowOf, startNs };
}
