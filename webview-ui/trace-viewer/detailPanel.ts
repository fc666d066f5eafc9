/**
 * The selected span's detail: timing, status, tokens, inputs/outputs, attributes, events and
 * exceptions. Chat-shaped payloads are shown as a conversation; long text is cut with a
 * "Show all" button. Everything from the trace is set as text.
 */
import type { SpanDetail } from '../../src/shared/traceViewerProtocol';
import { h, icon } from '../shared/dom';
import { formatCount, formatMs } from './format';

const LONG_TEXT_CHARS = 2000;
const LONG_TEXT_LINES = 30;

/** What the search bar is looking for, marked in the detail's texts (plain-text queries only). */
export interface Highlight {
  text: string;
  caseSensitive: boolean;
}

/** The highlight of the detail being built: set by DetailPanel.show around one render. */
let highlight: Highlight | undefined;

export class DetailPanel {
  readonly element: HTMLElement;
  private readonly body: HTMLDivElement;

  constructor() {
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
    const sections = [
      section('Inputs', d.inputs === undefined ? null : payload(d.inputs)),
      section('Outputs', d.outputs === undefined ? null : payload(d.outputs)),
      section('Attributes', Object.keys(d.attributes).length === 0 ? null : keyValues(d.attributes)),
      section('Events', d.events.length === 0 ? null : h('ul', { className: 'events' }, d.events.map(eventItem))),
    ].filter((x): x is HTMLElement => x !== null);
    this.body.replaceChildren(
      h('div', { className: `detail-title${failed ? ' error' : ''}` }, [failed ? icon('error') : null, h('span', { text: d.name })]),
      h('dl', { className: 'facts' }, facts.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])),
      ...sections,
    );
  }
}

function section(title: string, content: Node | null): HTMLElement | null {
  if (!content) return null;
  return h('section', { className: `detail-section section-${title.toLowerCase()}` }, [h('h3', { text: title }), content]);
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
function fill(pre: HTMLElement, text: string, marked: Highlight | undefined): void {
  if (!marked) {
    pre.textContent = text;
    return;
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
