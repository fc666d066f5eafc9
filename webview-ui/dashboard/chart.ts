/**
 * One line chart in plain SVG: a series per line (gaps where a point has no value), interval
 * whiskers for pass rates, alert markers, and clickable, focusable points. Every attribute is
 * a number or a class name from this file; every string from the data goes in as textContent.
 */
import type { Chart, ChartPoint } from '../../src/shared/dashboardProtocol';
import { h } from '../shared/dom';
import { niceTicks } from '../shared/ticks';
import { formatValue } from './format';

const SVG_NS = 'http://www.w3.org/2000/svg';
const WIDTH = 520;
const HEIGHT = 200;
const PAD = { left: 52, right: 12, top: 16, bottom: 28 };
/**
 * Series colours come from the theme (--vscode-charts-*), by class: its six colours, then the
 * same six mixed with the foreground and dashed, so twelve series stay apart.
 */
export const SERIES_COLOURS = 12;
/** Room per x-axis label ("04-01 10:00:00"). */
const X_LABEL_PX = 84;
/** Points closer than this (vertically, same x) count as overlapping… */
const OVERLAP_PX = 6;
/** …and are set this far apart sideways. */
const SPREAD_PX = 7;

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
  const yTicks = chart.unit === 'rate' ? [0, 0.25, 0.5, 0.75, 1] : niceTicks(Math.max(0, ...values), 4, { integer: chart.unit !== 'ms', cover: true });
  const yMax = yTicks.at(-1)!;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  // Points sit at even steps: runs are not evenly spaced in time, and equal steps read better.
  const xOf = (x: number) => PAD.left + (xs.length <= 1 ? plotW / 2 : (xs.indexOf(x) / (xs.length - 1)) * plotW);
  const yOf = (y: number) => PAD.top + plotH - (y / yMax) * plotH;

  const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart-svg', role: 'img' });
  root.append(svgTitle(chart.title));
  for (const tick of yTicks) {
    const y = yOf(tick);
    root.append(svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y, y2: y, class: 'grid' }));
    const label = svg('text', { x: PAD.left - 6, y: y + 4, class: 'axis-label', 'text-anchor': 'end' });
    label.textContent = formatValue(chart.unit, tick);
    root.append(label);
  }
  // Every run gets a label when there is room; otherwise every k-th, the last one always.
  const labelOf = new Map(chart.series.flatMap((s) => s.points).map((p) => [p.x, p.label] as const));
  const every = Math.max(1, Math.ceil(xs.length / Math.max(1, Math.floor(plotW / X_LABEL_PX))));
  xs.forEach((x, i) => {
    if (i % every !== 0 && i !== xs.length - 1) return;
    if (i !== xs.length - 1 && xs.length - 1 - i < every) return; // too close to the last label
    const anchor = xs.length === 1 ? 'middle' : i === 0 ? 'start' : i === xs.length - 1 ? 'end' : 'middle';
    const label = svg('text', { x: xOf(x), y: HEIGHT - 8, class: 'axis-label x-label', 'text-anchor': anchor });
    label.textContent = shortLabel(labelOf.get(x) ?? '');
    root.append(label);
  });

  // Points of different series at the same place would stack, only the top one clickable:
  // spread them sideways around their x.
  const spread = new Map<string, number[]>();
  chart.series.forEach((series, seriesIndex) => series.points.forEach((p) => {
    if (p.y === null) return;
    const key = `${p.x}:${Math.round(yOf(p.y) / OVERLAP_PX)}`;
    spread.set(key, [...(spread.get(key) ?? []), seriesIndex]);
  }));
  const dxOf = (seriesIndex: number, p: ChartPoint) => {
    const group = spread.get(`${p.x}:${Math.round(yOf(p.y!) / OVERLAP_PX)}`) ?? [seriesIndex];
    return (group.indexOf(seriesIndex) - (group.length - 1) / 2) * SPREAD_PX;
  };

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
      else run.push(`${(xOf(p.x) + dxOf(seriesIndex, p)).toFixed(1)},${yOf(p.y).toFixed(1)}`);
    }
    flush();
    series.points.forEach((p, pointIndex) => {
      if (p.y === null) return;
      const cx = xOf(p.x) + dxOf(seriesIndex, p);
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

/** Run ids (`20240401-100000-abc`) as `04-01 10:00:00`; other labels as they are. */
function shortLabel(label: string): string {
  const m = /^\d{4}(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-/.exec(label);
  return m ? `${m[1]}-${m[2]} ${m[3]}:${m[4]}:${m[5]}` : label;
}
