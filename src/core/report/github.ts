/**
 * GitHub Actions workflow commands: an `::error` annotation at the scenario's line for each
 * failed or errored scenario, a `::notice` for skipped ones, and a summary notice.
 * Escaping follows GitHub's toolkit: in the message `%`, CR and LF are percent-encoded; in
 * properties `:` and `,` are too (they separate properties).
 */
import * as path from 'node:path';
import type { RunReport, ScenarioResult } from '../run/protocol';
import { scenarioMessage } from './describe';

export interface GithubOptions {
  /**
   * The repository root (GitHub resolves annotation paths from it, usually $GITHUB_WORKSPACE).
   * Scenario files are relative to the coSTAR workspace, which may be a sub-folder.
   */
  repoRoot?: string;
}

export function renderGithub(report: RunReport, opts: GithubOptions = {}): string {
  const prefix = opts.repoRoot ? path.relative(opts.repoRoot, report.workspaceDir).split(path.sep).join('/') : '';
  const lines: string[] = [];
  for (const scenario of report.scenarios) {
    if (scenario.status === 'passed') continue;
    const command = scenario.status === 'skipped' ? 'notice' : 'error';
    const file = prefix && !prefix.startsWith('..') ? `${prefix}/${scenario.file}` : scenario.file;
    lines.push(workflowCommand(command, { file, line: String(scenario.line), title: title(scenario) }, scenarioMessage(scenario)));
  }
  const s = report.summary;
  lines.push(
    workflowCommand('notice', { title: 'coSTAR' }, `${s.passed} passed, ${s.failed} failed, ${s.error} errors, ${s.skipped} skipped (${s.total} scenarios, run ${report.runId})`),
  );
  return lines.join('\n') + '\n';
}

function title(scenario: ScenarioResult): string {
  const word = { failed: 'failed', error: 'errored', skipped: 'skipped', passed: 'passed' }[scenario.status];
  return `coSTAR: ${scenario.id} ${word}`;
}

export function workflowCommand(command: string, properties: Record<string, string>, message: string): string {
  const props = Object.entries(properties)
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
    .join(',');
  return `::${command}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
