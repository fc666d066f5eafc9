/** `costar diff` as text: the red/green changes first, then metrics that moved ×2. */
import type { Outcome } from '../judges/types';
import type { MetricFlag } from '../judges/metrics';
import type { Change, RunDiff, ScenarioDiff } from './diff';

const SECTIONS: { change: Change; title: string; mark: string }[] = [
  { change: 'newly-failing', title: 'Newly failing', mark: '✗' },
  { change: 'fixed', title: 'Fixed', mark: '✓' },
  { change: 'still-failing', title: 'Still failing', mark: '✗' },
  { change: 'added', title: 'New scenarios', mark: '+' },
  { change: 'removed', title: 'Gone from run B', mark: '-' },
  { change: 'skipped', title: 'Skipped in either run', mark: '·' },
];

export function renderDiffText(diff: RunDiff): string {
  const lines = [
    `Comparing ${diff.a.runId} (A: ${summaryText(diff.a.summary)})`,
    `     with ${diff.b.runId} (B: ${summaryText(diff.b.summary)})`,
  ];
  for (const section of SECTIONS) {
    const scenarios = diff.scenarios.filter((s) => s.change === section.change);
    if (scenarios.length === 0) continue;
    lines.push('', `${section.title} (${scenarios.length}):`);
    for (const s of scenarios) lines.push(...scenarioLines(s, section.mark));
  }
  const flagged = diff.scenarios.filter((s) => s.metricFlags.length > 0);
  if (flagged.length > 0) {
    lines.push('', 'Operational metrics that moved ×2 or more (A → B):');
    for (const s of flagged) for (const flag of s.metricFlags) lines.push(`  ${s.id}: ${flagText(flag)}`);
  }
  if (diff.totals) {
    const t = diff.totals;
    lines.push(
      '',
      `Totals over ${diff.scenarios.filter((s) => s.metricsBefore && s.metricsAfter).length} scenarios with both traces: ` +
        `tokens ${t.before.totalTokens} → ${t.after.totalTokens}, tool calls ${t.before.toolCalls} → ${t.after.toolCalls}, ` +
        `latency ${Math.round(t.before.latencyMs)}ms → ${Math.round(t.after.latencyMs)}ms`,
    );
    for (const flag of t.flags) lines.push(`  ${flagText(flag)}`);
  }
  const c = diff.counts;
  lines.push('', `${c['newly-failing']} newly failing, ${c.fixed} fixed, ${c['still-failing']} still failing, ${c.passing} passing in both`);
  return lines.join('\n') + '\n';
}

function scenarioLines(s: ScenarioDiff, mark: string): string[] {
  const out = [`  ${mark} ${s.id}  ${s.file}:${s.line}  ${outcomeText(s.before)} → ${outcomeText(s.after)}`];
  for (const j of s.judges) {
    if (j.change === 'passing') continue;
    const rationale = j.rationale ? `: ${oneLine(j.rationale)}` : '';
    out.push(`      ${j.name} [${j.change}] ${outcomeText(j.before)} → ${outcomeText(j.after)}${rationale}`);
  }
  return out;
}

function flagText(flag: MetricFlag): string {
  return `${flag.direction === 'up' ? '▲' : '▼'} ${flag.message}`;
}

function outcomeText(outcome: Outcome | undefined): string {
  return outcome ?? '(absent)';
}

function summaryText(s: RunDiff['a']['summary']): string {
  return `${s.passed}/${s.total} passed, ${s.failed} failed, ${s.error} errors`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}
