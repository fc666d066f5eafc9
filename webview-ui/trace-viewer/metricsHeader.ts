/** The figures above the tree, with the change against the previous run of the same scenario. */
import type { InitialState, Metrics } from '../../src/shared/traceViewerProtocol';
import { h } from '../shared/dom';
import { formatCount, formatMs, traceBadge } from './format';

type Figure = { label: string; value: (m: Metrics) => number; show: (n: number) => string; text?: (m: Metrics) => string };

const FIGURES: Figure[] = [
  { label: 'Tokens', value: (m) => m.totalTokens, show: formatCount, text: (m) => `${formatCount(m.totalTokens)} (in ${formatCount(m.inputTokens)} / out ${formatCount(m.outputTokens)})` },
  { label: 'Model calls', value: (m) => m.modelCalls, show: String },
  {
    label: 'Tool calls', value: (m) => m.toolCalls, show: String,
    text: (m) => `${m.toolCalls}${m.toolCalls ? `, ${m.toolFailures} failed (${Math.round((m.toolFailures / m.toolCalls) * 100)}%)` : ''}`,
  },
  { label: 'Latency', value: (m) => m.latencyMs, show: formatMs },
  { label: 'Spans', value: (m) => m.spans, show: formatCount, text: (m) => `${formatCount(m.spans)}${m.errors ? `, ${m.errors} erroring` : ''}` },
];

/** `promote` is called by the header's "Promote to scenario" button, shown only for promotable traces. */
export function metricsHeader(state: InitialState, promote: () => void): HTMLElement {
  const { metrics, previous } = state;
  const badge = traceBadge(state.state, metrics.errors, state.verdicts.map((v) => v.outcome));
  const title = h('div', { className: 'title-line' }, [
    h('h1', { text: state.title }),
    h('span', { className: `trace-state state-${badge.tone}`, text: badge.text, title: badge.title }),
    state.runId ? h('span', { className: 'muted', text: `run ${state.runId}` }) : null,
    state.promotable ? h('button', {
      className: 'promote',
      title: 'Open a draft *.scenario.yaml that reproduces this trace, checked by the judges that failed on it',
      onClick: promote,
    }, [h('span', { className: 'codicon codicon-beaker' }), h('span', { text: 'Promote to scenario' })]) : null,
  ]);
  const figures = FIGURES.map((f) => {
    const now = f.value(metrics);
    const children: (Node | null)[] = [
      h('span', { className: 'metric-label', text: f.label }),
      h('span', { className: 'metric-value', text: f.text ? f.text(metrics) : f.show(now) }),
    ];
    if (previous) {
      const before = f.value(previous.metrics);
      const diff = now - before;
      if (diff !== 0) {
        const pct = before !== 0 ? ` (${diff > 0 ? '+' : ''}${Math.round((diff / before) * 100)}%)` : '';
        children.push(h('span', {
          className: `metric-delta ${diff > 0 ? 'up' : 'down'}`,
          title: `compared with run ${previous.runId}: ${f.show(before)}`,
          text: `${diff > 0 ? '+' : '−'}${f.show(Math.abs(diff))}${pct}`,
        }));
      }
    }
    return h('div', { className: 'metric', attrs: { 'data-metric': f.label.toLowerCase().replace(/ /g, '-') } }, children);
  });
  return h('header', { className: 'metrics-header' }, [
    title,
    h('div', { className: 'metrics' }, figures),
    previous ? h('div', { className: 'muted compare-note', text: `Changes are against the previous run of this scenario (${previous.runId}).` }) : null,
  ]);
}
