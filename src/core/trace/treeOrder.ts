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
  const byId = new Map<string, number>();
  for (let i = 0; i < nodes.length; i++) if (!byId.has(nodes[i]!.spanId)) byId.set(nodes[i]!.spanId, i);

  // Spans whose parent is missing from the trace (a partial export) are shown as roots rather
  // than dropped, so nothing recorded is ever hidden.
  const children = new Map<string | null, number[]>();
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const parent = node.parentId !== null && byId.has(node.parentId) && node.parentId !== node.spanId ? node.parentId : null;
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(i);
  }
  for (const list of children.values()) {
    list.sort((a, b) => {
      const x = nodes[a]!.startNs;
      const y = nodes[b]!.startNs;
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }

  const order: number[] = [];
  const parents: number[] = [];
  const placed = new Set<string>();
  // Iterative pre-order walk: agent traces can nest deeper than the call stack allows.
  const stack: { node: number; parentRow: number }[] = [];
  const pushChildren = (key: string | null, parentRow: number) => {
    const list = children.get(key);
    if (!list) return;
    for (let i = list.length - 1; i >= 0; i--) stack.push({ node: list[i]!, parentRow });
  };
  const drain = () => {
    while (stack.length > 0) {
      const { node, parentRow } = stack.pop()!;
      const id = nodes[node]!.spanId;
      if (placed.has(id)) continue; // duplicate id or a cycle: show the first occurrence only
      placed.add(id);
      const row = order.length;
      order.push(node);
      parents.push(parentRow);
      pushChildren(id, row);
    }
  };
  pushChildren(null, -1);
  drain();
  // Spans caught in a parent cycle are unreachable from any root: show them as roots too.
  for (let i = 0; i < nodes.length; i++) {
    if (!placed.has(nodes[i]!.spanId)) {
      stack.push({ node: i, parentRow: -1 });
      drain();
    }
  }
  return { order, parents };
}
