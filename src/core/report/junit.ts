/**
 * JUnit XML, in the dialect CI tools read (Jenkins, GitLab, GitHub test-report actions, Azure):
 * `<testsuites>` → one `<testsuite>` per scenario file → one `<testcase>` per scenario, with
 * `<failure>` when a judge said no, `<error>` when the agent, harness or a judge could not
 * finish, `<skipped>` with the reason. Counts and times (seconds) on every suite.
 */
import type { RunReport, ScenarioResult } from '../run/protocol';
import { attrs, xmlText } from './xml';
import { describeVerdict, scenarioMessage } from './describe';
import { lastAttemptVerdicts } from './jsonReport';

export function renderJunit(report: RunReport): string {
  const byFile = new Map<string, ScenarioResult[]>();
  for (const scenario of report.scenarios) {
    const list = byFile.get(scenario.file) ?? [];
    list.push(scenario);
    byFile.set(scenario.file, list);
  }
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(`<testsuites${attrs({ name: `costar ${report.runId}`, ...counts(report.scenarios), time: seconds(report.summary.durationMs) })}>`);
  const timestamp = new Date(report.startedAt).toISOString().replace(/\.\d{3}Z$/, '');
  for (const [file, scenarios] of byFile) {
    const time = seconds(scenarios.reduce((sum, s) => sum + s.durationMs, 0));
    lines.push(`  <testsuite${attrs({ name: file, ...counts(scenarios), time, timestamp, file })}>`);
    lines.push(`    <properties>`);
    lines.push(`      <property${attrs({ name: 'costar.run_id', value: report.runId })}/>`);
    lines.push(`    </properties>`);
    for (const scenario of scenarios) lines.push(...testcase(scenario));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

function testcase(scenario: ScenarioResult): string[] {
  const out = [`    <testcase${attrs({ name: scenario.id, classname: scenario.file, time: seconds(scenario.durationMs), file: scenario.file, line: scenario.line })}>`];
  const traceIds = scenario.attempts.map((a) => a.traceId).filter((id): id is string => !!id);
  if (traceIds.length > 0) {
    out.push('      <properties>');
    if (scenario.traceId) out.push(`        <property${attrs({ name: 'costar.trace_id', value: scenario.traceId })}/>`);
    traceIds.forEach((id, i) => out.push(`        <property${attrs({ name: `costar.attempt.${i + 1}.trace_id`, value: id })}/>`));
    out.push('      </properties>');
  }
  const message = scenarioMessage(scenario);
  const type = failureType(scenario);
  if (scenario.status === 'failed') out.push(`      <failure${attrs({ message: firstLine(message), type })}>${xmlText(details(scenario))}</failure>`);
  if (scenario.status === 'error') out.push(`      <error${attrs({ message: firstLine(message), type })}>${xmlText(details(scenario))}</error>`);
  if (scenario.status === 'skipped') out.push(`      <skipped${attrs({ message: firstLine(message) })}/>`);
  out.push('    </testcase>');
  return out;
}

/** The element body: every verdict of every attempt, so the CI page shows the whole story. */
function details(scenario: ScenarioResult): string {
  const parts: string[] = [scenarioMessage(scenario), ''];
  for (const attempt of scenario.attempts) {
    const header = `attempt ${attempt.attempt}: ${attempt.status}${attempt.traceId ? ` (trace ${attempt.traceId})` : ''}`;
    parts.push(header);
    if (attempt.error) parts.push(`  ${attempt.error}`);
    for (const v of attempt.verdicts) parts.push(`  ${describeVerdict(v)}`);
  }
  return parts.join('\n');
}

function failureType(scenario: ScenarioResult): string | undefined {
  const judges = lastAttemptVerdicts(scenario)
    .filter((v) => v.outcome === scenario.status)
    .map((v) => v.judge);
  return judges.length > 0 ? [...new Set(judges)].join(',') : undefined;
}

function counts(scenarios: ScenarioResult[]) {
  const n = (status: ScenarioResult['status']) => scenarios.filter((s) => s.status === status).length;
  return { tests: scenarios.length, failures: n('failed'), errors: n('error'), skipped: n('skipped') };
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 500 ? `${line.slice(0, 497)}...` : line;
}
