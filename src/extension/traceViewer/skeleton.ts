/**
 * Turns a parsed trace into the skeleton's rows (tree pre-order, as plain arrays; the viewer's
 * worker gets the same rows from the outline instead, skeletonColumns.ts encodes either).
 * No `vscode` import: the same code serves the extension, the tests and the benchmark.
 */
import type { Span, Trace } from '../../core/trace/model';
import { STATUS } from '../../shared/traceViewerProtocol';
import type { SkeletonRows } from '../../shared/skeletonColumns';
import { treeOrder } from '../../core/trace/treeOrder';
import { spanTypeIndex } from '../../core/trace/outline';

export interface IndexedTrace {
  trace: Trace;
  skeleton: SkeletonRows;
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
  const skeleton = { ids: [] as string[], parents, names: [] as string[], types: [] as number[], status: [] as number[], startMs: [] as number[], durMs: [] as number[] };
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
