/**
 * The order a trace is shown in: tree pre-order, every parent before its children, siblings by
 * start time. One implementation for the trace viewer's outline and the labeling panel.
 */

export interface TreeNode {
  spanId: string;
  parentId: string | null;
  startNs: bigint;
}

export interface TreeOrder {
  /** order[row] is the index (into the input) of the node shown on that row. */
  order: number[];
  /** Row of each row's parent, -1 for a root; always smaller than the row itself. */
  parents: number[];
}

export function treeOrder(nodes: readonly TreeNode[]): TreeOrder {
  const n = nodes.length;
  // Nodes sharing an id are one place in the tree: the first node with the id stands for it
  // (index-keyed arrays below rather than maps and sets of ids: a trace has 100,000s of spans).
  const firstOf = new Map<string, number>();
  const canon = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const id = nodes[i]!.spanId;
    const first = firstOf.get(id);
    if (first === undefined) firstOf.set(id, i);
    canon[i] = first ?? i;
  }

  // Spans whose parent is missing from the trace (a partial export) are shown as roots rather
  // than dropped, so nothing recorded is ever hidden.
  const roots: number[] = [];
  const children: (number[] | undefined)[] = new Array<number[] | undefined>(n);
  for (let i = 0; i < n; i++) {
    const node = nodes[i]!;
    const parent = node.parentId !== null && node.parentId !== node.spanId ? firstOf.get(node.parentId) : undefined;
    if (parent === undefined) roots.push(i);
    else (children[parent] ??= []).push(i);
  }
  const byStart = (a: number, b: number) => {
    const x = nodes[a]!.startNs;
    const y = nodes[b]!.startNs;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  roots.sort(byStart);
  for (const list of children) list?.sort(byStart);

  const order: number[] = [];
  const parents: number[] = [];
  const placed = new Uint8Array(n);
  // Iterative pre-order walk: agent traces can nest deeper than the call stack allows.
  const stackNode: number[] = [];
  const stackParentRow: number[] = [];
  const pushChildren = (list: number[] | undefined, parentRow: number) => {
    if (!list) return;
    for (let i = list.length - 1; i >= 0; i--) {
      stackNode.push(list[i]!);
      stackParentRow.push(parentRow);
    }
  };
  const drain = () => {
    while (stackNode.length > 0) {
      const node = stackNode.pop()!;
      const parentRow = stackParentRow.pop()!;
      const id = canon[node]!;
      if (placed[id]) continue; // duplicate id or a cycle: show the first occurrence only
      placed[id] = 1;
      const row = order.length;
      order.push(node);
      parents.push(parentRow);
      pushChildren(children[id], row);
    }
  };
  pushChildren(roots, -1);
  drain();
  // Spans caught in a parent cycle are unreachable from any root: show them as roots too.
  for (let i = 0; i < n; i++) {
    if (!placed[canon[i]!]) {
      stackNode.push(i);
      stackParentRow.push(-1);
      drain();
    }
  }
  return { order, parents };
}
