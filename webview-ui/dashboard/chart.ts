/**
 * One line chart in plain SVG: a series per line (gaps where a point has no value), interval
 * whiskers for pass rates, alert markers, and clickable, focusable points. Every attribute is
 * a number or a class name from this file; every string from the data goes in as textContent.
 */
import type { Chart, ChartPoint } from '../../src/shared/dashboardProtocol';
import { h } from '../shared/dom';
import { formatValue } from './format';

const SVG_NS = 'http://www.w3.org/2000/svg';
const WIDTH = 520;
const HEIGHT = 200;
const PAD = { left: 52, right: 12, top: 16, bottom: 28 };
/** Series colours come from the theme (--vscode-charts-*), by class. */
export const SERIES_COLOURS = 6;

export interface PointRef {
  chart: Chart;
  seriesIndex: number;
  pointIndex: number;
  point: ChartPoint;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, children: SVGElement[] = []): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children) el.append(child);
  return el;
}

function svgTitle(text: string): SVGTitleElement {
  const title = svg('title');
  title.textContent = text;
  return title;
}

export function renderChart(chart: Chart, onSelect: (ref: PointRef) => void): HTMLElement {
  const xs = [...new Set(chart.series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const values = chart.series.flatMap((s) => s.points.flatMap((p) => [p.y, p.high ?? null])).filter((v): v is number => v !== null);
  const yMax = chart.unit === 'rate' ? 1 : niceMax(Math.max(0, ...values));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  // Points sit at even steps: runs are not evenly spaced in time, and equal steps read better.
  const xOf = (x: number) => PAD.left + (xs.length <= 1 ? plotW / 2 : (xs.indexOf(x) / (xs.length - 1)) * plotW);
  const yOf = (y: number) => PAD.top + plotH - (y / yMax) * plotH;

  const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart-svg', role: 'img' });
  root.append(svgTitle(chart.title));
  for (const tick of [0, 0.5, 1]) {
    const y = yOf(tick * yMax);
    root.append(svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y, y2: y, class: 'grid' }));
    const label = svg('text', { x: PAD.left - 6, y: y + 4, class: 'axis-label', 'text-anchor': 'end' });
    label.textContent = formatValue(chart.unit, tick * yMax);
    root.append(label);
  }
  if (xs.length > 0) {
    const first = chart.series.flatMap((s) => s.points).find((p) => p.x === xs[0]);
    const last = chart.series.flatMap((s) => s.points).find((p) => p.x === xs.at(-1));
    for (const [p, anchor] of [[first, 'start'], [last, 'end']] as const) {
      if (!p || (anchor === 'end' && xs.length === 1)) continue;
      const label = svg('text', { x: anchor === 'start' ? PAD.left : WIDTH - PAD.right, y: HEIGHT - 8, class: 'axis-label', 'text-anchor': anchor });
      label.textContent = p.label;
      root.append(label);
    }
  }

  chart.series.forEach((series, seriesIndex) => {
    const colour = `series-${seriesIndex % SERIES_COLOURS}`;
    const group = svg('g', { class: `series ${colour}` });
    // A polyline per run of consecutive values: a null point is a gap, not a zero.
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) group.append(svg('polyline', { points: run.join(' '), class: 'line' }));
      run = [];
    };
    for (const p of series.points) {
      if (p.y === null) flush();
      else run.push(`${xOf(p.x).toFixed(1)},${yOf(p.y).toFixed(1)}`);
    }
    flush();
    series.points.forEach((p, pointIndex) => {
      if (p.y === null) return;
      const cx = xOf(p.x);
      const cy = yOf(p.y);
      if (p.low !== undefined && p.high !== undefined) {
        group.append(svg('line', { x1: cx, x2: cx, y1: yOf(p.low), y2: yOf(p.high), class: 'whisker' }));
      }
      if (p.alert) {
        const marker = svg('path', { d: `M${cx - 6},${PAD.top - 2} L${cx + 6},${PAD.top - 2} L${cx},${PAD.top + 8} Z`, class: 'alert-marker' });
        marker.append(svgTitle(p.alert));
        group.append(marker);
      }
      const dot = svg('circle', {
        cx, cy, r: 4.5,
        class: `point${p.alert ? ' alerting' : ''}`,
        tabindex: 0,
        role: 'button',
        'data-chart': chart.id,
        'data-series': seriesIndex,
        'data-index': pointIndex,
        'aria-label': `${series.name}, ${p.label}: ${formatValue(chart.unit, p.y)}`,
      });
      dot.append(svgTitle(`${series.name} · ${p.label}: ${formatValue(chart.unit, p.y)} (n=${p.n})${p.alert ? ` — ${p.alert}` : ''}`));
      const select = () => onSelect({ chart, seriesIndex, pointIndex, point: p });
      dot.addEventListener('click', select);
      dot.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          select();
        }
      });
      group.append(dot);
    });
    root.append(group);
  });

  const legend = h('div', { className: 'legend' }, chart.series.map((s, i) =>
    h('span', { className: `legend-item series-${i % SERIES_COLOURS}` }, [h('span', { className: 'swatch' }), h('span', { text: s.name })])));
  const figure = h('figure', { className: 'chart', attrs: { 'data-chart': chart.id } }, [h('figcaption', { text: chart.title }), legend]);
  figure.append(root);
  return figure;
}

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= max) return step * magnitude;
  return 10 * magnitude;
}
