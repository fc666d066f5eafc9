/**
 * The windowed span tree with its timeline column. Only the rows inside the viewport (plus a
 * small overscan) exist in the DOM; a fixed row height turns scroll offsets into row numbers.
 * The timeline waterfall is the right-hand column of the same rows, so it scrolls, expands and
 * selects in lockstep with the tree by construction.
 */
import type { Skeleton } from '../../src/shared/traceViewerProtocol';
import { Names } from '../../src/shared/skeletonColumns';
import { SPAN_TYPES, STATUS } from '../../src/shared/traceViewerProtocol';
import { h, icon } from '../shared/dom';
import { niceTicks } from '../shared/ticks';
import { formatMs } from './format';
import type { TreeModel } from './treeModel';

export const ROW_HEIGHT = 22;
const OVERSCAN = 10;
/** Room per axis label ("1 min 30 s" is about 70 px wide). */
const MIN_TICK_SPACING_PX = 90;
const TICK_GAP_PX = 8;
const INDENT_PX = 14;
const TYPE_AHEAD_RESET_MS = 800;

/** Codicon per span type, in the order of SPAN_TYPES. */
const TYPE_ICONS = [
  'circle-outline', 'hubot', 'link', 'sparkle', 'comment-discussion', 'tools', 'search', 'symbol-array', 'list-ordered', 'json', 'run-all',
  'database', 'type-hierarchy', 'checklist', 'shield', 'pass',
];

export interface TreeDecorations {
  /** The most severe outcome among the judges citing the row, if any cites it. */
  citedOutcome(row: number): string | undefined;
  isRootCause(row: number): boolean;
  /** 0: no search hit, 1: a hit, 2: the current hit. */
  matchState(row: number): 0 | 1 | 2;
}

interface RowElements {
  root: HTMLDivElement;
  indent: HTMLSpanElement;
  twisty: HTMLSpanElement;
  typeIcon: HTMLSpanElement;
  name: HTMLSpanElement;
  kind: HTMLSpanElement;
  marks: HTMLSpanElement;
  duration: HTMLSpanElement;
  bar: HTMLDivElement;
}

export class TreeView {
  readonly element: HTMLDivElement;
  private readonly scroller: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly pool: RowElements[] = [];
  private frame = 0;
  private typeAhead = '';
  private typeAheadTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly names: Names;
  selected = -1;
  onSelect: (row: number) => void = () => {};
  onExpansionChange: () => void = () => {};

  constructor(
    private readonly skeleton: Skeleton,
    private readonly model: TreeModel,
    private readonly decorations: TreeDecorations,
    private readonly totalMs: number,
  ) {
    this.names = new Names(skeleton.names);
    this.spacer = h('div', { className: 'tree-spacer' });
    this.scroller = h('div', {
      className: 'tree-scroll',
      role: 'tree',
      tabIndex: 0,
      attrs: { 'aria-label': 'Spans', 'aria-multiselectable': 'false' },
    }, [this.spacer]);
    this.element = h('div', { className: 'tree-pane' }, [this.timelineHeader(), this.scroller]);
    this.scroller.addEventListener('scroll', () => this.scheduleRender());
    this.scroller.addEventListener('click', (e) => this.onClick(e));
    this.scroller.addEventListener('dblclick', (e) => {
      const row = this.rowFromEvent(e);
      if (row >= 0) this.toggle(row);
    });
    this.scroller.addEventListener('keydown', (e) => this.onKeyDown(e));
    new ResizeObserver(() => this.scheduleRender()).observe(this.scroller);
  }

  focus(): void {
    this.scroller.focus();
  }

  scheduleRender(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderNow();
    });
  }

  renderNow(): void {
    const visible = this.model.visible;
    this.spacer.style.height = `${visible.length * ROW_HEIGHT}px`;
    const viewport = this.scroller.clientHeight || ROW_HEIGHT * 30;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(visible.length, Math.ceil((this.scroller.scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
    const needed = last - first;
    while (this.pool.length < needed) this.pool.push(this.createRow());
    let active: string | null = null;
    for (let i = 0; i < this.pool.length; i++) {
      const elements = this.pool[i]!;
      if (i >= needed) {
        elements.root.hidden = true;
        continue;
      }
      const index = first + i;
      const row = visible[index]!;
      this.fillRow(elements, row, index);
      if (row === this.selected) active = elements.root.id;
    }
    if (active) this.scroller.setAttribute('aria-activedescendant', active);
    else this.scroller.removeAttribute('aria-activedescendant');
  }

  select(row: number, options: { scroll?: boolean } = {}): void {
    if (row < 0 || row >= this.model.size) return;
    if (this.model.visibleIndexOf(row) < 0) {
      this.model.reveal([row]);
      this.onExpansionChange();
    }
    const changed = this.selected !== row;
    this.selected = row;
    if (options.scroll !== false) this.scrollToRow(row);
    this.scheduleRender();
    if (changed) this.onSelect(row);
  }

  scrollToRow(row: number): void {
    const index = this.model.visibleIndexOf(row);
    if (index < 0) return;
    const top = index * ROW_HEIGHT;
    const viewport = this.scroller.clientHeight;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + ROW_HEIGHT > this.scroller.scrollTop + viewport) this.scroller.scrollTop = top + ROW_HEIGHT - viewport;
  }

  toggle(row: number): void {
    if (!this.model.hasChildren(row) || this.model.filtered) return;
    const open = !this.model.isExpanded(row);
    this.model.setExpanded(row, open);
    // Collapsing over the selection moves it to the collapsed row, like any tree.
    if (!open && this.selected >= 0 && this.model.visibleIndexOf(this.selected) < 0) this.select(row);
    this.onExpansionChange();
    this.scheduleRender();
  }

  /** Re-renders after the model changed from outside (expand all, filter, restore). */
  refresh(): void {
    if (this.selected >= 0 && this.model.visibleIndexOf(this.selected) < 0) this.selected = -1;
    this.scheduleRender();
  }

  private createRow(): RowElements {
    const indent = h('span', { className: 'indent' });
    const twisty = h('span', { className: 'twisty codicon', attrs: { 'aria-hidden': 'true' } });
    const typeIcon = h('span', { className: 'type-icon codicon', attrs: { 'aria-hidden': 'true' } });
    const name = h('span', { className: 'name' });
    const kind = h('span', { className: 'kind' });
    const marks = h('span', { className: 'marks' });
    const duration = h('span', { className: 'duration' });
    const bar = h('div', { className: 'bar' });
    const root = h('div', { className: 'row', role: 'treeitem' }, [
      h('div', { className: 'cell-tree' }, [indent, twisty, typeIcon, name, kind, marks, duration]),
      h('div', { className: 'cell-timeline', attrs: { 'aria-hidden': 'true' } }, [bar]),
    ]);
    this.spacer.append(root);
    return { root, indent, twisty, typeIcon, name, kind, marks, duration, bar };
  }

  private fillRow(e: RowElements, row: number, index: number): void {
    const s = this.skeleton;
    const hasChildren = this.model.hasChildren(row);
    const expanded = hasChildren && this.model.isExpanded(row);
    const error = s.status[row] === STATUS.ERROR;
    const cited = this.decorations.citedOutcome(row);
    const match = this.decorations.matchState(row);
    const rootCause = this.decorations.isRootCause(row);
    e.root.hidden = false;
    e.root.id = `span-row-${row}`;
    e.root.dataset.row = String(row);
    e.root.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
    e.root.className = `row${row === this.selected ? ' selected' : ''}${error ? ' error' : ''}${cited ? ` cited cited-${cited}` : ''}${match ? (match === 2 ? ' match current-match' : ' match') : ''}`;
    e.root.setAttribute('aria-level', String(this.model.depth[row]! + 1));
    e.root.setAttribute('aria-setsize', String(this.model.setSize[row]));
    e.root.setAttribute('aria-posinset', String(this.model.posInSet[row]));
    e.root.setAttribute('aria-selected', row === this.selected ? 'true' : 'false');
    if (hasChildren) e.root.setAttribute('aria-expanded', expanded ? 'true' : 'false');
    else e.root.removeAttribute('aria-expanded');
    e.indent.style.width = `${this.model.depth[row]! * INDENT_PX}px`;
    e.twisty.className = `twisty codicon${hasChildren ? (expanded ? ' codicon-chevron-down' : ' codicon-chevron-right') : ''}`;
    e.typeIcon.className = `type-icon codicon codicon-${error ? 'error' : TYPE_ICONS[s.types[row]!] ?? 'circle-outline'}`;
    e.name.textContent = this.names.at(row);
    // The kind in words beside the icon (as MLflow and Langfuse label spans); none for UNKNOWN.
    e.kind.textContent = kindLabel(s.types[row]!);
    e.marks.replaceChildren();
    if (rootCause) e.marks.append(icon('target', 'mark-root-cause'));
    if (cited) e.marks.append(icon(cited === 'passed' ? 'pass' : 'comment-discussion', `mark-cited mark-${cited}`));
    e.duration.textContent = formatMs(s.durMs[row]!);
    const total = this.totalMs > 0 ? this.totalMs : 1;
    e.bar.style.left = `${Math.min(100, (s.startMs[row]! / total) * 100)}%`;
    e.bar.style.width = `${Math.max(0.2, Math.min(100, (s.durMs[row]! / total) * 100))}%`;
    e.bar.className = `bar bar-type-${s.types[row]}${error ? ' bar-error' : ''}`;
  }

  /**
   * The axis above the waterfall: round-valued ticks spaced for the column's width. Labels
   * differ in width ("0" to "1 min 30 s"), so after layout any label that would touch its left
   * neighbour is hidden, and one that would stick out on the right is aligned to its tick's left.
   */
  private timelineHeader(): HTMLDivElement {
    const axis = h('div', { className: 'cell-timeline ticks' });
    const render = (width: number) => {
      const values = niceTicks(this.totalMs, Math.max(1, Math.floor(width / MIN_TICK_SPACING_PX)));
      const ticks = values.map((value, i) => {
        const tick = h('span', { className: i === 0 ? 'tick tick-start' : 'tick', text: formatMs(value) });
        tick.style.left = `${this.totalMs > 0 ? (value / this.totalMs) * 100 : 0}%`;
        return tick;
      });
      axis.replaceChildren(...ticks);
      const bounds = axis.getBoundingClientRect();
      let previousRight = -Infinity;
      for (const tick of ticks) {
        if (tick.getBoundingClientRect().right > bounds.right) tick.classList.add('tick-end');
        const box = tick.getBoundingClientRect();
        if (box.left < previousRight + TICK_GAP_PX || box.left < bounds.left) tick.hidden = true;
        else previousRight = box.right;
      }
    };
    new ResizeObserver((entries) => render(entries[0]?.contentRect.width ?? 0)).observe(axis);
    return h('div', { className: 'tree-header', attrs: { 'aria-hidden': 'true' } }, [
      h('div', { className: 'cell-tree', text: 'Span' }),
      axis,
    ]);
  }

  private rowFromEvent(e: Event): number {
    const target = (e.target as Element).closest<HTMLElement>('.row');
    return target?.dataset.row !== undefined ? Number(target.dataset.row) : -1;
  }

  private onClick(e: MouseEvent): void {
    const row = this.rowFromEvent(e);
    if (row < 0) return;
    if ((e.target as Element).classList.contains('twisty')) this.toggle(row);
    this.select(row, { scroll: false });
    this.focus();
  }

  private onKeyDown(e: KeyboardEvent): void {
    const visible = this.model.visible;
    if (visible.length === 0) return;
    const index = this.selected >= 0 ? this.model.visibleIndexOf(this.selected) : -1;
    const pageRows = Math.max(1, Math.floor(this.scroller.clientHeight / ROW_HEIGHT) - 1);
    const go = (i: number) => this.select(visible[Math.max(0, Math.min(visible.length - 1, i))]!);
    const row = this.selected;
    switch (e.key) {
      case 'ArrowDown': go(index + 1); break;
      case 'ArrowUp': go(index < 0 ? 0 : index - 1); break;
      case 'Home': go(0); break;
      case 'End': go(visible.length - 1); break;
      case 'PageDown': go(index + pageRows); break;
      case 'PageUp': go(index - pageRows); break;
      case 'ArrowRight':
        if (row < 0) go(0);
        else if (this.model.hasChildren(row) && !this.model.isExpanded(row)) this.toggle(row);
        else if (this.model.hasChildren(row)) go(index + 1);
        break;
      case 'ArrowLeft':
        if (row < 0) go(0);
        else if (this.model.hasChildren(row) && this.model.isExpanded(row) && !this.model.filtered) this.toggle(row);
        else if (this.model.parents[row]! >= 0) this.select(this.model.parents[row]!);
        break;
      case 'Enter':
      case ' ':
        if (row >= 0) this.toggle(row);
        break;
      default:
        if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
          this.findByTyping(e.key);
          break;
        }
        return;
    }
    e.preventDefault();
  }

  /** Type-to-find: the next visible row whose name starts with what was typed recently. */
  private findByTyping(char: string): void {
    clearTimeout(this.typeAheadTimer);
    this.typeAheadTimer = setTimeout(() => (this.typeAhead = ''), TYPE_AHEAD_RESET_MS);
    this.typeAhead += char.toLowerCase();
    const visible = this.model.visible;
    const start = this.selected >= 0 ? this.model.visibleIndexOf(this.selected) : 0;
    // A fresh single letter moves on from the current row; a longer prefix may stay on it.
    const offset = this.typeAhead.length === 1 ? 1 : 0;
    for (let k = 0; k < visible.length; k++) {
      const row = visible[(start + offset + k) % visible.length]!;
      if (this.names.at(row).toLowerCase().startsWith(this.typeAhead)) {
        this.select(row);
        return;
      }
    }
  }
}

/** "TOOL", "CHAT MODEL", … for a span type index; empty for UNKNOWN. */
export function kindLabel(type: number): string {
  const name = SPAN_TYPES[type] ?? 'UNKNOWN';
  return name === 'UNKNOWN' ? '' : name.replace(/_/g, ' ');
}
