/**
 * The monitoring dashboard webview: draws the charts the host computed, lists the traces
 * behind a clicked point (opening the most telling one right away), and asks the host to open
 * a trace or promote a failing production trace to a scenario.
 */
import './styles.css';
import { DASHBOARD_STATE_ELEMENT_ID, DashboardState, HostMessage, WebviewMessage, type DashboardSection, type PointTrace } from '../../src/shared/dashboardProtocol';
import { HostChannel } from '../shared/vscodeApi';
import { h } from '../shared/dom';
import { renderChart, type PointRef } from './chart';
import { formatValue } from './format';

function readInitialState(): DashboardState {
  const text = document.getElementById(DASHBOARD_STATE_ELEMENT_ID)?.textContent;
  if (!text) throw new Error('The page carries no dashboard data: reopen the dashboard.');
  return DashboardState.parse(JSON.parse(text));
}

function start(): void {
  const app = document.getElementById('app')!;
  const channel = new HostChannel(HostMessage, WebviewMessage);
  const status = h('div', { className: 'status', role: 'status' });
  const body = h('main', { className: 'sections' });
  const refresh = h('button', { className: 'refresh', text: 'Refresh', onClick: () => channel.post({ type: 'refresh' }) });
  const generated = h('span', { className: 'generated' });
  app.replaceChildren(h('header', { className: 'top' }, [h('h1', { text: 'coSTAR dashboard' }), generated, refresh]), status, body);

  const show = (state: DashboardState) => {
    generated.textContent = `as of ${new Date(state.generatedAt).toLocaleString()}`;
    const warnings = (state.warnings ?? []).map((text) => h('p', { className: 'warning', role: 'status', text }));
    body.replaceChildren(...warnings, ...state.sections.map((section) => renderSection(section, channel)));
    performance.mark('costar-dashboard-painted');
  };
  channel.listen((message) => {
    if (message.type === 'state') {
      status.textContent = '';
      show(message.state);
    } else status.textContent = message.message;
  }, (problem) => { status.textContent = `Ignored a malformed message from the extension: ${problem}`; });

  try {
    show(readInitialState());
  } catch (error) {
    status.textContent = `Cannot show the dashboard: ${(error as Error).message}`;
  }
  channel.post({ type: 'ready' });
}

function renderSection(section: DashboardSection, channel: HostChannel<HostMessage, WebviewMessage>): HTMLElement {
  const el = h('section', { className: `section section-${section.id}`, attrs: { 'data-section': section.id } }, [h('h2', { text: section.title })]);
  if (section.empty) el.append(h('p', { className: 'empty', text: section.empty }));
  if (section.alerts.length > 0) {
    el.append(h('ul', { className: 'alerts', attrs: { 'aria-label': 'Alerts' } }, section.alerts.map((a) =>
      h('li', { className: 'alert' }, [h('span', { className: 'alert-time', text: new Date(a.x).toISOString().slice(0, 16).replace('T', ' ') }), h('span', { className: 'alert-message', text: a.message })]))));
  }
  const grid = h('div', { className: 'charts' });
  for (const chart of section.charts) {
    const detail = h('div', { className: 'point-detail', attrs: { 'aria-live': 'polite' } });
    const card = h('div', { className: 'chart-card' });
    const figure = renderChart(chart, (ref) => {
      for (const selected of card.querySelectorAll('.point.selected')) selected.classList.remove('selected');
      card.querySelector(`.point[data-series="${ref.seriesIndex}"][data-index="${ref.pointIndex}"]`)?.classList.add('selected');
      showPoint(detail, ref, channel);
      // The most telling trace (failing first) opens at once; the others are listed.
      const first = ref.point.traces[0];
      if (first) channel.post({ type: 'openTrace', traceId: first.traceId });
    });
    card.append(figure, detail);
    grid.append(card);
  }
  el.append(grid);
  return el;
}

function showPoint(detail: HTMLElement, ref: PointRef, channel: HostChannel<HostMessage, WebviewMessage>): void {
  const { chart, point } = ref;
  const series = chart.series[ref.seriesIndex]!;
  const interval = point.low !== undefined && point.high !== undefined ? ` [${formatValue(chart.unit, point.low)}–${formatValue(chart.unit, point.high)}]` : '';
  detail.replaceChildren(
    h('div', { className: 'detail-head', text: `${series.name} · ${point.label}: ${formatValue(chart.unit, point.y)}${interval} (n=${point.n})` }),
    ...(point.alert ? [h('div', { className: 'detail-alert', text: point.alert })] : []),
    point.traces.length === 0
      ? h('p', { className: 'empty', text: 'No trace behind this point.' })
      : h('ul', { className: 'trace-list' }, point.traces.map((t) => traceRow(t, channel))),
  );
}

function traceRow(trace: PointTrace, channel: HostChannel<HostMessage, WebviewMessage>): HTMLElement {
  const row = h('li', { className: 'trace-row', attrs: { 'data-trace-id': trace.traceId } }, [
    h('span', { className: `outcome outcome-${trace.outcome ?? 'none'}`, text: trace.outcome ?? '' }),
    h('button', { className: 'open-trace link', text: trace.label, title: `Open trace ${trace.traceId}`, onClick: () => channel.post({ type: 'openTrace', traceId: trace.traceId }) }),
    h('span', { className: 'trace-id', text: trace.traceId.slice(0, 8) }),
  ]);
  if (trace.production && trace.outcome === 'failed') {
    row.append(h('button', { className: 'promote', text: 'Promote to scenario', title: 'Draft a scenario from this trace', onClick: () => channel.post({ type: 'promote', traceId: trace.traceId }) }));
  }
  return row;
}

start();
