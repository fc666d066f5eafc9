/**
 * A Markdown summary: a headline, a table of scenarios and the reasons of each non-passing
 * one. Suited to pull-request comments and `$GITHUB_STEP_SUMMARY`.
 */
import type { RunReport, ScenarioResult } from '../run/protocol';
import type { Outcome } from '../judges/types';
import { formatDuration } from '../util/duration';
import { describeVerdict, explainingVerdicts } from './describe';
import { lastAttemptVerdicts } from './jsonReport';

const ICON: Record<Outcome, string> = { passed: '✅', failed: '❌', error: '⚠️', skipped: '⏭️' };

export function renderMarkdown(report: RunReport): string {
  const s = report.summary;
  const lines = [
    `## coSTAR run \`${report.runId}\``,
    '',
    `${ICON.passed} ${s.passed} passed · ${ICON.failed} ${s.failed} failed · ${ICON.error} ${s.error} errors · ${ICON.skipped} ${s.skipped} skipped — ${s.total} scenarios in ${formatDuration(s.durationMs)}`,
    '',
    '| Scenario | File | Status | Duration | Judges |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const scenario of report.scenarios) {
    const judges = lastAttemptVerdicts(scenario)
      .map((v) => `${ICON[v.outcome]} ${v.name || v.judge}`)
      .join(', ');
    lines.push(
      `| ${cell(scenario.id)} | ${cell(`${scenario.file}:${scenario.line}`)} | ${ICON[scenario.status]} ${scenario.status} | ${formatDuration(scenario.durationMs)} | ${cell(judges || '—')} |`,
    );
  }
  const notPassing = report.scenarios.filter((sc) => sc.status !== 'passed');
  if (notPassing.length > 0) {
    lines.push('', '### Not passing', '');
    for (const scenario of notPassing) lines.push(...reasons(scenario));
  }
  return lines.join('\n') + '\n';
}

function reasons(scenario: ScenarioResult): string[] {
  const out = [`- ${ICON[scenario.status]} **${inline(scenario.id)}** (\`${scenario.file}:${scenario.line}\`) — ${scenario.status}`];
  const error = scenario.error ?? scenario.attempts.at(-1)?.error;
  if (error) out.push(`  - ${inline(error)}`);
  for (const v of explainingVerdicts(scenario)) out.push(`  - ${inline(describeVerdict(v))}`);
  return out;
}

/** Table cells: a pipe or a newline would break the row. */
function cell(text: string): string {
  return inline(text).replace(/\|/g, '\\|');
}

function inline(text: string): string {
  const flat = text.replace(/\s*\r?\n\s*/g, ' ').trim();
  return flat.length > 400 ? `${flat.slice(0, 397)}...` : flat;
}
