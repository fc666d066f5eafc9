/** Numbers as the dashboard shows them, per chart unit. */
import type { Chart } from '../../src/shared/dashboardProtocol';

export function formatValue(unit: Chart['unit'], value: number | null): string {
  if (value === null) return '—';
  switch (unit) {
    case 'rate':
      return `${Math.round(value * 1000) / 10}%`;
    case 'ms':
      return value >= 1000 ? `${(value / 1000).toFixed(value >= 10_000 ? 0 : 1)} s` : `${Math.round(value)} ms`;
    case 'tokens':
      return value >= 10_000 ? `${Math.round(value / 1000)}k` : String(Math.round(value));
    case 'count':
      return String(Math.round(value * 10) / 10);
  }
}
