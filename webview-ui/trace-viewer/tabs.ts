/**
 * An ARIA tab list (WAI-ARIA "tabs with automatic activation"): one tab in the Tab order (roving
 * tabindex), ←/→ move to the previous/next tab and show it, Home/End to the first/last.
 * Every panel is built up front and the others are hidden, so search marks exist in all of them
 * and a tab can show how many it holds.
 */
import { h } from '../shared/dom';

export interface TabSpec<K extends string> {
  key: K;
  label: string;
  content: Node;
  /** Search hits inside this panel; shown beside the label when > 0. */
  hits: number;
}

export interface Tabs<K extends string> {
  element: HTMLElement;
  selected(): K;
}

export function tabs<K extends string>(idPrefix: string, specs: readonly TabSpec<K>[], initial: K, onSelect: (key: K) => void): Tabs<K> {
  let current = specs.some((s) => s.key === initial) ? initial : specs[0]!.key;
  const buttons: HTMLButtonElement[] = [];
  const panels: HTMLElement[] = [];
  specs.forEach((spec) => {
    const tabId = `${idPrefix}-tab-${spec.key}`;
    const panelId = `${idPrefix}-panel-${spec.key}`;
    const label = spec.hits > 0 ? `${spec.label}, ${spec.hits} search ${spec.hits === 1 ? 'hit' : 'hits'}` : spec.label;
    buttons.push(h('button', {
      className: `tab tab-${spec.key}`, role: 'tab', id: tabId,
      attrs: { 'aria-controls': panelId, 'aria-label': label, 'data-tab': spec.key },
      onClick: () => select(spec.key, false),
    }, [
      h('span', { className: 'tab-label', text: spec.label }),
      spec.hits > 0 ? h('span', { className: 'tab-hits', text: String(spec.hits), attrs: { 'aria-hidden': 'true' } }) : null,
    ]));
    // A panel is focusable so keyboard users reach its text right after the tab list.
    panels.push(h('div', { className: `tab-panel section-${spec.key}`, role: 'tabpanel', id: panelId, tabIndex: 0, attrs: { 'aria-labelledby': tabId } }, [spec.content]));
  });

  const list = h('div', { className: 'tab-list', role: 'tablist', attrs: { 'aria-label': 'Span detail sections' } }, buttons);
  list.addEventListener('keydown', (e) => {
    const at = buttons.findIndex((b) => b === document.activeElement);
    if (at < 0) return;
    const last = buttons.length - 1;
    const to = e.key === 'ArrowRight' ? (at === last ? 0 : at + 1)
      : e.key === 'ArrowLeft' ? (at === 0 ? last : at - 1)
        : e.key === 'Home' ? 0
          : e.key === 'End' ? last
            : -1;
    if (to < 0) return;
    e.preventDefault();
    select(specs[to]!.key, true);
  });

  function paint(): void {
    specs.forEach((spec, i) => {
      const on = spec.key === current;
      buttons[i]!.setAttribute('aria-selected', String(on));
      buttons[i]!.tabIndex = on ? 0 : -1;
      panels[i]!.hidden = !on;
    });
  }
  function select(key: K, focus: boolean): void {
    const changed = key !== current;
    current = key;
    paint();
    if (focus) buttons[specs.findIndex((s) => s.key === key)]!.focus();
    if (changed) onSelect(key);
  }
  paint();
  return { element: h('div', { className: 'tabs' }, [list, ...panels]), selected: () => current };
}
