/**
 * The search box. Queries go to the extension host (which searches the trace file off its main
 * thread); the answer streams in as batches of rows, kept in tree order, that Enter /
 * Shift+Enter and the arrow buttons step through.
 */
import { h, icon } from '../shared/dom';

const DEBOUNCE_MS = 150;

export interface SearchBarEvents {
  search(query: string, regex: boolean, caseSensitive: boolean, requestId: number): void;
  /** Called with the current hit (or -1 when there is none) whenever it changes. */
  current(row: number, hits: ReadonlySet<number>): void;
}

export class SearchBar {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly status: HTMLSpanElement;
  private readonly regexToggle: HTMLButtonElement;
  private readonly caseToggle: HTMLButtonElement;
  private requestId = 0;
  /** The request whose batches `rows` holds. */
  private receiving = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private rows: number[] = [];
  private hits = new Set<number>();
  private index = -1;

  constructor(private readonly events: SearchBarEvents) {
    this.input = h('input', { className: 'search-input', attrs: { 'aria-label': 'Search spans' } });
    this.input.type = 'search';
    this.input.placeholder = 'Search names, inputs, outputs, attributes';
    this.regexToggle = toggle('regex', 'Use regular expression', () => this.schedule());
    this.caseToggle = toggle('case-sensitive', 'Match case', () => this.schedule());
    this.status = h('span', { className: 'search-status', attrs: { 'aria-live': 'polite' } });
    const prev = h('button', { className: 'icon-button', title: 'Previous match (Shift+Enter)', attrs: { 'aria-label': 'Previous match' }, onClick: () => this.step(-1) }, [icon('arrow-up')]);
    const next = h('button', { className: 'icon-button', title: 'Next match (Enter)', attrs: { 'aria-label': 'Next match' }, onClick: () => this.step(1) }, [icon('arrow-down')]);
    this.input.addEventListener('input', () => this.schedule());
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        clearTimeout(this.timer);
        // Enter on a query not yet sent searches now; on the current query it steps.
        if (this.timer !== undefined) this.send();
        else this.step(e.shiftKey ? -1 : 1);
      } else if (e.key === 'Escape') {
        this.input.value = '';
        this.send();
      }
    });
    this.element = h('div', { className: 'search-bar', role: 'search' }, [this.input, this.regexToggle, this.caseToggle, this.status, prev, next]);
  }

  focus(): void {
    this.input.focus();
  }

  /**
   * Takes a batch of the host's answer; stale batches (an older request id) are ignored. The
   * host streams matches as it finds them (in file order): they are kept in tree order, the
   * first one found is selected at once and stays the current hit as more arrive.
   */
  receive(requestId: number, rows: number[], done: boolean, truncated: boolean, error: string | undefined): void {
    if (requestId !== this.requestId) return;
    if (requestId !== this.receiving) {
      this.receiving = requestId;
      this.rows = [];
      this.hits = new Set();
      this.index = -1;
    }
    const current = this.index >= 0 ? this.rows[this.index] : undefined;
    for (const row of rows) this.hits.add(row);
    if (rows.length) this.rows = [...this.hits].sort((a, b) => a - b);
    this.input.classList.toggle('invalid', error !== undefined);
    if (error) {
      this.status.textContent = error;
      this.index = -1;
    } else if (this.rows.length === 0) {
      this.status.textContent = done ? (this.input.value ? 'No results' : '') : 'Searching…';
      this.index = -1;
    } else {
      this.index = current === undefined ? this.rows.indexOf(rows[0]!) : this.rows.indexOf(current);
      this.showPosition(truncated, done);
    }
    if (rows.length === 0 && !done && !error) return;
    this.events.current(this.index >= 0 ? this.rows[this.index]! : -1, this.hits);
  }

  step(direction: 1 | -1): void {
    if (this.rows.length === 0) return;
    this.index = (this.index + direction + this.rows.length) % this.rows.length;
    this.showPosition(false);
    this.events.current(this.rows[this.index]!, this.hits);
  }

  private showPosition(truncated: boolean, done = true): void {
    this.status.textContent = `${this.index + 1} of ${this.rows.length}${truncated ? '+' : ''}${done ? '' : '…'}`;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.send(), DEBOUNCE_MS);
  }

  private send(): void {
    this.timer = undefined;
    this.requestId++;
    this.events.search(this.input.value, pressed(this.regexToggle), pressed(this.caseToggle), this.requestId);
  }
}

function toggle(codicon: string, label: string, onChange: () => void): HTMLButtonElement {
  const button = h('button', { className: 'icon-button toggle', title: label, attrs: { 'aria-label': label, 'aria-pressed': 'false' } }, [icon(codicon)]);
  button.addEventListener('click', () => {
    button.setAttribute('aria-pressed', pressed(button) ? 'false' : 'true');
    onChange();
  });
  return button;
}

function pressed(button: HTMLButtonElement): boolean {
  return button.getAttribute('aria-pressed') === 'true';
}
