/**
 * The one way webviews build DOM. Text goes in through `textContent` only and attributes through
 * an explicit allow-list of names, so a trace string can never become markup, a handler or a URL.
 */

type Child = Node | string | null | undefined | false;

export interface ElementProps {
  className?: string;
  text?: string;
  title?: string;
  role?: string;
  id?: string;
  tabIndex?: number;
  /** aria-* and data-* attributes only; anything else is refused. */
  attrs?: Record<string, string>;
  onClick?: (event: MouseEvent) => void;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, children: Child[] = []): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.className) el.className = props.className;
  if (props.text !== undefined) el.textContent = props.text;
  if (props.title !== undefined) el.title = props.title;
  if (props.role) el.setAttribute('role', props.role);
  if (props.id) el.id = props.id;
  if (props.tabIndex !== undefined) el.tabIndex = props.tabIndex;
  for (const [name, value] of Object.entries(props.attrs ?? {})) setSafeAttribute(el, name, value);
  if (props.onClick) el.addEventListener('click', props.onClick as EventListener);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

export function setSafeAttribute(el: Element, name: string, value: string): void {
  if (!/^(aria|data)-[a-z-]+$/.test(name)) throw new Error(`refusing to set attribute "${name}": only aria-* and data-* are allowed`);
  el.setAttribute(name, value);
}

/** A codicon glyph; `name` comes from our own code, never from a trace. */
export function icon(name: string, extraClass = ''): HTMLSpanElement {
  return h('span', { className: `codicon codicon-${name}${extraClass ? ` ${extraClass}` : ''}`, attrs: { 'aria-hidden': 'true' } });
}

export function clear(el: Element): void {
  el.replaceChildren();
}
