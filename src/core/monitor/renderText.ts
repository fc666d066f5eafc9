/** `costar monitor report` as text: the recent windows per judge and metric, then the alerts. */
import type { MonitorReport } from './analyze';

export function renderMonitorText(report: MonitorReport, lastWindows = 14): string {
  if (report.windows.length === 0) return 'No scored production traces yet: import some with costar monitor import DIR|FILE.\n';
  const windows = report.windows.slice(-lastWindows);
  const lines = [`Last ${windows.length} of ${report.windows.length} windows (${report.windowMs / 3_600_000}h each):`, ''];
  const judges = [...new Set(report.windows.flatMap((w) => w.judges.map((j) => j.judge)))];
  for (const judge of judges) {
    lines.push(`judge ${judge}: pass rate [95% interval] (n)`);
    for (const w of windows) {
      const j = w.judges.find((x) => x.judge === judge);
      if (!j) continue;
      const n = j.passed + j.failed;
      const rate = j.interval ? `${pct(j.interval.rate)} [${pct(j.interval.low)}–${pct(j.interval.high)}]` : '—';
      const extra = [j.error ? `${j.error} errors` : '', j.skipped ? `${j.skipped} skipped` : ''].filter(Boolean).join(', ');
      lines.push(`  ${day(w.start)}  ${rate.padEnd(24)} (${n})${extra ? ` ${extra}` : ''}${j.alert ? '  ALERT' : ''}`);
    }
    lines.push('');
  }
  const metrics = [...new Set(report.windows.flatMap((w) => w.metrics.map((m) => m.metric)))];
  for (const metric of metrics) {
    const cells = windows.map((w) => {
      const m = w.metrics.find((x) => x.metric === metric);
      return m?.median === null || m === undefined ? '—' : `${Math.round(m.median)}${m.alert ? '!' : ''}`;
    });
    lines.push(`median ${metric}: ${cells.join(' ')}`);
  }
  lines.push('');
  if (report.alerts.length === 0) lines.push('No alerts.');
  else {
    lines.push(`${report.alerts.length} alert(s):`);
    for (const a of report.alerts) lines.push(`  ${day(a.start)}  ${a.message}`);
  }
  return lines.join('\n') + '\n';
}

function day(ms: number): string {
  return new Date(ms).toISOString().replace(':00.000Z', 'Z').replace('T00:00Z', '');
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
