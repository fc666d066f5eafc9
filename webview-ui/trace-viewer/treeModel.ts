/**
 * The span tree as flat typed arrays over the pre-ordered skeleton. The visible rows are a
 * list of skeleton rows recomputed in O(visible) by skipping collapsed subtrees, which is what
 * keeps expand/collapse instant at 100,000 spans.
 */
export class TreeModel {
  readonly size: number;
  readonly parents: Int32Array;
  readonly depth: Int32Array;
  /** Number of rows in the subtree of a row, the row included. */
  readonly subtreeSize: Int32Array;
  /** 1-based position among siblings and the sibling count, for aria-posinset/setsize. */
  readonly posInSet: Int32Array;
  readonly setSize: Int32Array;
  readonly expanded: Uint8Array;
  /** When set, only these rows are shown (all expanded): the "cited by failing judges" filter. */
  private filterMask: Uint8Array | null = null;
  visible: Int32Array = new Int32Array(0);
  /** Position of a row in `visible`, or -1 when hidden. */
  private visibleIndex: Int32Array;

  /** `parents`: the skeleton's parent row of each row (-1 for a root), parents before children. */
  constructor(parents: ArrayLike<number>) {
    const n = (this.size = parents.length);
    this.parents = Int32Array.from(parents);
    this.depth = new Int32Array(n);
    this.subtreeSize = new Int32Array(n).fill(1);
    this.posInSet = new Int32Array(n);
    this.setSize = new Int32Array(n);
    this.expanded = new Uint8Array(n);
    this.visibleIndex = new Int32Array(n).fill(-1);
    const childCount = new Int32Array(n + 1); // last slot counts the roots
    for (let row = 0; row < n; row++) {
      const parent = this.parents[row]!;
      if (parent >= 0) this.depth[row] = this.depth[parent]! + 1;
      const slot = parent >= 0 ? parent : n;
      this.posInSet[row] = ++childCount[slot]!;
    }
    for (let row = n - 1; row >= 0; row--) {
      const parent = this.parents[row]!;
      if (parent >= 0) this.subtreeSize[parent]! += this.subtreeSize[row]!;
      this.setSize[row] = childCount[parent >= 0 ? parent : n]!;
    }
    this.recompute();
  }

  hasChildren(row: number): boolean {
    return this.subtreeSize[row]! > 1;
  }

  isExpanded(row: number): boolean {
    return this.filterMask !== null || this.expanded[row] === 1;
  }

  get filtered(): boolean {
    return this.filterMask !== null;
  }

  visibleIndexOf(row: number): number {
    return this.visibleIndex[row] ?? -1;
  }

  setExpanded(row: number, open: boolean): void {
    if (!this.hasChildren(row) || this.expanded[row] === (open ? 1 : 0)) return;
    this.expanded[row] = open ? 1 : 0;
    this.recompute();
  }

  expandAll(): void {
    for (let row = 0; row < this.size; row++) if (this.hasChildren(row)) this.expanded[row] = 1;
    this.recompute();
  }

  /** Opens every row shallower than `depth` (roots are depth 0). */
  expandToDepth(depth: number): void {
    for (let row = 0; row < this.size; row++) if (this.depth[row]! < depth && this.hasChildren(row)) this.expanded[row] = 1;
    this.recompute();
  }

  /** Replaces the expansion, e.g. with the one saved before a reload. */
  setExpandedRows(rows: Iterable<number>): void {
    this.expanded.fill(0);
    for (const row of rows) if (row >= 0 && row < this.size && this.hasChildren(row)) this.expanded[row] = 1;
    this.recompute();
  }

  collapseAll(): void {
    this.expanded.fill(0);
    this.recompute();
  }

  /** Expands every ancestor of the rows so they become visible. */
  reveal(rows: Iterable<number>): void {
    // No early stop at an expanded ancestor: one further up may still be collapsed.
    for (const row of rows) for (let p = this.parents[row] ?? -1; p >= 0; p = this.parents[p]!) this.expanded[p] = 1;
    this.recompute();
  }

  /** Shows only `rows` and their ancestors, or everything again when `rows` is null. */
  setFilter(rows: readonly number[] | null): void {
    if (rows === null) {
      this.filterMask = null;
    } else {
      const mask = new Uint8Array(this.size);
      for (const row of rows) for (let r = row; r >= 0 && mask[r] === 0; r = this.parents[r]!) mask[r] = 1;
      this.filterMask = mask;
    }
    this.recompute();
  }

  private recompute(): void {
    for (let i = 0; i < this.visible.length; i++) this.visibleIndex[this.visible[i]!] = -1;
    const out = new Int32Array(this.size);
    let count = 0;
    const mask = this.filterMask;
    for (let row = 0; row < this.size; ) {
      if (mask && mask[row] === 0) {
        row += this.subtreeSize[row]!;
        continue;
      }
      this.visibleIndex[row] = count;
      out[count++] = row;
      row += mask || this.expanded[row] === 1 ? 1 : this.subtreeSize[row]!;
    }
    this.visible = out.subarray(0, count);
  }
}
