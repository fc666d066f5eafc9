/**
 * Each judge's verdict — outcome, value, rationale, cost — with the spans it cites one click
 * away, the "cited by failing judges" filter, and the root-cause pointer.
 */
import type { RootCause, ViewerVerdict } from '../../src/shared/traceViewerProtocol';
import { h, icon } from '../shared/dom';
import { longText } from './detailPanel';
import { formatCount, formatMs, valueText } from './format';

const OUTCOME_ICONS: Record<string, string> = { passed: 'pass', failed: 'error', error: 'warning', skipped: 'circle-slash' };

export interface VerdictPanelEvents {
  reveal(rows: readonly number[]): void;
  setFailingOnly(on: boolean): void;
}

export class VerdictPanel {
  readonly element: HTMLElement;
  private readonly filter: HTMLInputElement;

  constructor(verdicts: readonly ViewerVerdict[], rootCause: RootCause | null, spanName: (row: number) => string, events: VerdictPanelEvents) {
    this.filter = h('input', { id: 'failing-only' });
    this.filter.type = 'checkbox';
    const failingCited = verdicts.some((v) => (v.outcome === 'failed' || v.outcome === 'error') && v.rows.length > 0);
    this.filter.disabled = !failingCited;
    this.filter.addEventListener('change', () => events.setFailingOnly(this.filter.checked));
    const filterLabel = h('label', { className: 'filter', title: failingCited ? '' : 'No failing judge cites a span' }, [
      this.filter, ' Only spans cited by failing judges',
    ]);

    const rootCauseLine = rootCause
      ? h('button', { className: 'root-cause', title: rootCause.reason, onClick: () => events.reveal([rootCause.row]) }, [
        icon('target'), h('span', { text: 'Root cause: ' }), h('span', { className: 'root-cause-name', text: spanName(rootCause.row) }),
        h('span', { className: 'muted', text: ` — ${rootCause.reason}` }),
      ])
      : null;

    const list = verdicts.length === 0
      ? h('p', { className: 'placeholder', text: 'No verdicts recorded for this trace.' })
      : h('ul', { className: 'verdicts' }, verdicts.map((v) => this.item(v, events)));

    const failing = verdicts.filter((v) => v.outcome === 'failed' || v.outcome === 'error').length;
    this.element = h('section', { className: 'panel verdict-panel', attrs: { 'aria-label': 'Verdicts' } }, [
      h('h2', { text: `Verdicts (${verdicts.length}${failing ? `, ${failing} not passing` : ''})` }),
      rootCauseLine, filterLabel, list,
    ]);
  }

  setFailingOnly(on: boolean): void {
    this.filter.checked = on;
  }

  private item(v: ViewerVerdict, events: VerdictPanelEvents): HTMLElement {
    const cost = [
      v.cost.inputTokens + v.cost.outputTokens > 0 ? `${formatCount(v.cost.inputTokens + v.cost.outputTokens)} tokens` : '',
      v.cost.modelCalls > 0 ? `${v.cost.modelCalls} model call${v.cost.modelCalls === 1 ? '' : 's'}` : '',
      formatMs(v.cost.ms),
    ].filter(Boolean).join(' · ');
    const cites = v.rows.length === 0 ? 'cites no span' : `cites ${v.rows.length} span${v.rows.length === 1 ? '' : 's'}`;
    const header = h('button', {
      className: 'verdict-head',
      title: v.rows.length ? 'Reveal the cited spans' : 'This verdict cites no span',
      onClick: () => { if (v.rows.length) events.reveal(v.rows); },
    }, [
      icon(OUTCOME_ICONS[v.outcome] ?? 'question', `outcome-icon outcome-${v.outcome}`),
      h('span', { className: 'verdict-name', text: v.name }),
      h('span', { className: `outcome-label outcome-${v.outcome}`, text: v.outcome }),
    ]);
    const value = valueText(v.value);
    return h('li', { className: `verdict verdict-${v.outcome}`, attrs: { 'data-judge': v.judge } }, [
      header,
      value ? h('div', { className: 'verdict-value' }, [h('span', { className: 'muted', text: 'value ' }), h('span', { text: value })]) : null,
      v.rationale ? longText(v.rationale, 'rationale') : null,
      v.error ? h('div', { className: 'verdict-problem', text: v.error }) : null,
      h('div', { className: 'verdict-meta muted', text: `${v.judge} · ${v.source} · ${cost} · ${cites}` }),
    ]);
  }
}
