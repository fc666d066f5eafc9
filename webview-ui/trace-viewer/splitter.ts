/**
 * The resizable split between the span tree and the side panel: drag the sash, or focus it
 * and use the arrow keys; double-click gives the default split back. The side panel's width
 * is what moves, so a narrow editor group keeps span names readable by dragging it smaller.
 */
import { h } from '../shared/dom';

const MIN_PANE_PX = 160;
const KEY_STEP_PX = 24;

export interface Splitter {
  element: HTMLDivElement;
  /** Applies a saved width (px) of the side panel; undefined restores the default split. */
  setSideWidth(px: number | undefined): void;
}

export function splitter(main: () => HTMLElement, side: HTMLElement, onChange: (sideWidthPx: number | undefined) => void): Splitter {
  const element = h('div', {
    className: 'splitter', role: 'separator', tabIndex: 0, title: 'Drag to resize; double-click to reset',
    attrs: { 'aria-orientation': 'vertical', 'aria-label': 'Resize the side panel' },
  });
  const clamp = (px: number) => {
    const total = main().getBoundingClientRect().width;
    return Math.round(Math.max(MIN_PANE_PX, Math.min(total - MIN_PANE_PX, px)));
  };
  const setSideWidth = (px: number | undefined) => {
    side.style.flex = px === undefined ? '' : `0 0 ${clamp(px)}px`;
    element.setAttribute('aria-valuenow', String(Math.round(side.getBoundingClientRect().width)));
  };
  const commit = (px: number | undefined) => {
    setSideWidth(px);
    onChange(px === undefined ? undefined : clamp(px));
  };

  element.addEventListener('pointerdown', (down) => {
    down.preventDefault();
    element.setPointerCapture(down.pointerId);
    element.classList.add('dragging');
    const move = (e: PointerEvent) => setSideWidth(main().getBoundingClientRect().right - e.clientX);
    const up = (e: PointerEvent) => {
      element.releasePointerCapture(e.pointerId);
      element.classList.remove('dragging');
      element.removeEventListener('pointermove', move);
      element.removeEventListener('pointerup', up);
      commit(main().getBoundingClientRect().right - e.clientX);
    };
    element.addEventListener('pointermove', move);
    element.addEventListener('pointerup', up);
  });
  element.addEventListener('dblclick', () => commit(undefined));
  element.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    // Left moves the sash left: the side panel grows.
    commit(side.getBoundingClientRect().width + (e.key === 'ArrowLeft' ? KEY_STEP_PX : -KEY_STEP_PX));
  });
  return { element, setSideWidth };
}
