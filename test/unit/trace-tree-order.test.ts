/**
 * treeOrder (the order of the trace viewer's rows, outline and labeling panel): parents before
 * children, siblings by start time (input order on ties), and every span shown once even when
 * the trace is damaged: duplicate ids, a span its own parent, a missing parent, a parent cycle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { treeOrder } from '../../src/core/trace/treeOrder';

test('parents first, siblings by start, duplicates shown once, self-parented, orphaned and cyclic spans as roots', () => {
  const node = (spanId: string, parentId: string | null, start: number) => ({ spanId, parentId, startNs: BigInt(start) });
  const nodes = [
    node('a', null, 5),
    node('b', 'a', 2),
    node('c', 'a', 1),
    node('b', 'a', 0), // the same id again: placed first (earliest start), the other b is not shown
    node('d', 'd', 3), // its own parent: a root
    node('e', 'f', 4), // e and f: a cycle no root reaches
    node('f', 'e', 4),
    node('g', 'zz', 5), // parent not in the trace: a root, after a (same start, later in the input)
    node('h', 'b', 9), // child of the id b: under the b that was placed
  ];
  assert.deepEqual(treeOrder(nodes), {
    order: [4, 0, 3, 8, 2, 7, 5, 6],
    parents: [-1, -1, 1, 2, 1, -1, -1, 6],
  });
  assert.deepEqual(treeOrder([]), { order: [], parents: [] });
});
