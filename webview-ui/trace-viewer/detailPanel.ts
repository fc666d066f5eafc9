/**
 * The selected span's detail: timing, status, tokens, then Inputs / Outputs / Attributes (and
 * Events when the span has any) as tabs, as in MLflow's and Langfuse's span views. An exception
 * is summarised above the tabs, whichever is open, because it is why the span failed; its stack
 * and attributes are in Events. Chat-shaped payloads are shown as a conversation; long text is
 * cut with a "Show all" button. Everything from the trace is set as text.
 */
import type { SpanDetail } from '../../src/shared/traceViewerProtocol';
import { h, icon } from '../shared/dom';
import { formatCount, formatMs } from './format';
import { tabs } from './tabs';
import type { DetailTab } from '../../src/shared/traceViewerProtocol';

const LONG_TEXT_CHARS = 2000;
const LONG_TEXT_LINES = 30;

/** What the search bar is looking for, marked in the detail's texts (plain-text queries only). */
export interface Highlight {
  text: string;
  caseSensitive: boolean;
}

/** The highlight of the detail being built: set by DetailPanel.show around one render. */
let highlight: Highlight | undefined;
/** Occurrences of the highlight in the texts built since the panel being built began. */
let hitCount = 0;

export class DetailPanel {
  readonly element: HTMLElement;
  private readonly body: HTMLDivElement;

  /** The tab the user chose last; kept when a span lacks it (Events), so it comes back later. */
  private tab: DetailTab;

  constructor(initialTab: DetailTab = 'inputs', private readonly onTabChange: (tab: DetailTab) => void = () => {}) {
    this.tab = initialTab;
    this.body = h('div', { className: 'detail-body' });
    this.element = h('section', { className: 'panel detail', attrs: { 'aria-label': 'Span detail' } }, [
      h('h2', { text: 'Span' }), this.body,
    ]);
    this.showPlaceholder('Select a span to see its inputs, outputs and attributes.');
  }

  private shown: SpanDetail | undefined;
  private highlight: Highlight | undefined;

  /** Marks `next` in the texts of the span shown (and the ones shown later); undefined clears. */
  setHighlight(next: Highlight | undefined): void {
    this.highlight = next && next.text !== '' ? next : undefined;
    if (this.shown) this.show(this.shown);
  }

  showPlaceholder(text: string): void {
    this.shown = undefined;
    this.body.replaceChildren(h('p', { className: 'placeholder', text }));
  }

  show(d: SpanDetail): void {
    this.shown = d;
    highlight = this.highlight;
    try {
      this.render(d);
    } finally {
      highlight = undefined;
    }
  }

  private render(d: SpanDetail): void {
    const failed = d.status.code === 'ERROR';
    const facts: [string, string][] = [
      ['Type', d.type],
      ['Status', d.status.code + (d.status.message ? ` — ${d.status.message}` : '')],
      ['Start', `+${formatMs(d.startMs)}`],
      ['Duration', formatMs(d.durMs)],
      ['Span id', d.spanId],
    ];
    if (d.toolName) facts.push(['Tool', d.toolName]);
    if (d.tokens) facts.push(['Tokens', `${formatCount(d.tokens.total)} (in ${formatCount(d.tokens.input)}, out ${formatCount(d.tokens.output)})`]);
    const exception = d.events.find((e) => e.name === 'exception');
    const panels = [
      panel('inputs', 'Inputs', () => d.inputs === undefined ? empty('This span recorded no inputs.') : payload(d.inputs)),
      panel('outputs', 'Outputs', () => d.outputs === undefined ? empty('This span recorded no outputs.') : payload(d.outputs)),
      panel('attributes', 'Attributes', () => Object.keys(d.attributes).length === 0 ? empty('This span has no attributes.') : keyValues(d.attributes)),
      d.events.length === 0 ? null : panel('events', `Events (${d.events.length})`, () => h('ul', { className: 'events' }, d.events.map(eventItem))),
    ].filter((x) => x !== null);
    const tabList = tabs('detail', panels, this.tab, (tab) => {
      this.tab = tab;
      this.onTabChange(tab);
    });
    this.body.replaceChildren(
      h('div', { className: `detail-title${failed ? ' error' : ''}` }, [failed ? icon('error') : null, h('span', { text: d.name })]),
      h('dl', { className: 'facts' }, facts.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])),
      ...(exception ? [exceptionSummary(exception)] : []),
      tabList.element,
    );
  }
}

/** Builds one tab's content and counts the search hits in it. */
function panel(key: DetailTab, label: string, build: () => Node): { key: DetailTab; label: string; content: Node; hits: number } {
  hitCount = 0;
  const content = build();
  return { key, label, content, hits: hitCount };
}

function empty(text: string): HTMLElement {
  return h('p', { className: 'placeholder', text });
}

/** The exception's type and message, always in view above the tabs. */
function exceptionSummary(e: SpanDetail['events'][number]): HTMLElement {
  const type = e.attributes['exception.type'];
  const message = e.attributes['exception.message'];
  return h('div', { className: 'exception-summary', role: 'note', attrs: { 'aria-label': 'Exception' } }, [
    icon('error'),
    fill(h('span', { className: 'exception-message' }), `${String(type ?? 'Error')}: ${String(message ?? '')}`, highlight),
  ]);
}

interface ChatMessage {
  role: string;
  content: unknown;
  rest: Record<string, unknown>;
}

/** Finds a conversation in the shapes agents commonly log: `[{role, content}]` or `{messages: [...]}`. */
export function asConversation(value: unknown): ChatMessage[] | undefined {
  const list = Array.isArray(value) ? value
    : value && typeof value === 'object' && Array.isArray((value as { messages?: unknown }).messages) ? (value as { messages: unknown[] }).messages
      : undefined;
  if (!list || list.length === 0) return undefined;
  const messages: ChatMessage[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object' || typeof (item as { role?: unknown }).role !== 'string') return undefined;
    const { role, content, ...rest } = item as Record<string, unknown>;
    messages.push({ role: role as string, content, rest });
  }
  return messages;
}

function payload(value: unknown): Node {
  const conversation = asConversation(value);
  if (conversation) {
    return h('div', { className: 'conversation' }, conversation.map((m) => h('div', { className: `message role-${safeClass(m.role)}` }, [
      h('div', { className: 'message-role', text: m.role }),
      m.content === undefined || m.content === null ? null : longText(typeof m.content === 'string' ? m.content : pretty(m.content)),
      Object.keys(m.rest).length > 0 ? longText(pretty(m.rest), 'message-extra') : null,
    ])));
  }
  return longText(typeof value === 'string' ? value : pretty(value));
}

function keyValues(record: Record<string, unknown>): HTMLElement {
  return h('table', { className: 'attributes' }, [h('tbody', {}, Object.entries(record).map(([k, v]) =>
    h('tr', {}, [h('th', { text: k }), h('td', {}, [longText(typeof v === 'string' ? v : pretty(v))])])))]);
}

function eventItem(e: SpanDetail['events'][number]): HTMLElement {
  const exception = e.name === 'exception';
  const attrs = e.attributes;
  const children: Node[] = [h('div', { className: 'event-head' }, [
    exception ? icon('error') : icon('debug-stackframe-dot'),
    h('span', { className: 'event-name', text: e.name }),
    h('span', { className: 'event-time', text: `+${formatMs(e.offsetMs)}` }),
  ])];
  if (exception) {
    const type = attrs['exception.type'];
    const message = attrs['exception.message'];
    const stack = attrs['exception.stacktrace'];
    if (type !== undefined || message !== undefined) children.push(h('div', { className: 'exception-message', text: `${String(type ?? 'Error')}: ${String(message ?? '')}` }));
    if (typeof stack === 'string') children.push(longText(stack, 'stacktrace'));
  }
  if (Object.keys(attrs).length > 0) children.push(keyValues(attrs));
  return h('li', { className: `event${exception ? ' exception' : ''}` }, children);
}

/** A preformatted block, cut at a length that keeps the panel readable, with "Show all". */
export function longText(text: string, extraClass = ''): HTMLElement {
  const pre = h('pre', { className: `text${extraClass ? ` ${extraClass}` : ''}` });
  const lines = text.split('\n', LONG_TEXT_LINES + 1);
  const cutAt = lines.length > LONG_TEXT_LINES ? lines.slice(0, LONG_TEXT_LINES).join('\n').length : LONG_TEXT_CHARS;
  const marked = highlight;
  hitCount += countHits(text, marked);
  if (text.length <= cutAt) {
    fill(pre, text, marked);
    return pre;
  }
  fill(pre, `${text.slice(0, cutAt)}…`, marked);
  const button = h('button', { className: 'show-all', text: `Show all (${formatCount(text.length)} characters)` });
  const wrapper = h('div', { className: 'long-text' }, [pre, button]);
  button.addEventListener('click', () => {
    fill(pre, text, marked);
    button.remove();
  });
  return wrapper;
}

/** Sets `text` as text nodes, each occurrence of the highlight in a <mark> (still text, never markup). */
function fill<E extends HTMLElement>(pre: E, text: string, marked: Highlight | undefined): E {
  if (!marked) {
    pre.textContent = text;
    return pre;
  }
  const haystack = marked.caseSensitive ? text : text.toLowerCase();
  const needle = marked.caseSensitive ? marked.text : marked.text.toLowerCase();
  const nodes: Node[] = [];
  let from = 0;
  for (let at = haystack.indexOf(needle); at >= 0 && needle; at = haystack.indexOf(needle, at + needle.length)) {
    if (at > from) nodes.push(document.createTextNode(text.slice(from, at)));
    nodes.push(h('mark', { className: 'search-hit', text: text.slice(at, at + needle.length) }));
    from = at + needle.length;
  }
  if (from < text.length) nodes.push(document.createTextNode(text.slice(from)));
  pre.replaceChildren(...nodes);
  return pre;
}

/** Occurrences of the highlight in the whole text, including the part cut off by "Show all". */
function countHits(text: string, marked: Highlight | undefined): number {
  if (!marked || !marked.text) return 0;
  const haystack = marked.caseSensitive ? text : text.toLowerCase();
  const needle = marked.caseSensitive ? marked.text : marked.text.toLowerCase();
  let n = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
}

function pretty(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Roles come from the trace: only letters survive into a class name. */
function safeClass(text: string): string {
  return text.toLowerCase().replace(/[^a-z]/g, '') || 'other';
}
