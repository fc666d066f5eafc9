/** Shared wording of outcomes and verdicts, so every reporter explains a result the same way. */
import type { ScenarioResult } from '../run/protocol';
import type { Verdict } from '../judges/types';
import { lastAttemptVerdicts } from './jsonReport';

/** One line per verdict: `[failed] name (judge): rationale — error`. */
export function describeVerdict(v: Verdict): string {
  const label = v.name && v.name !== v.judge ? `${v.name} (${v.judge})` : v.judge;
  const detail = [v.rationale, v.error].filter((s) => s && s.trim() !== '').join(' — ');
  return `[${v.outcome}] ${label}${detail ? `: ${detail}` : ''}`;
}

/** The verdicts that explain a scenario's status: the failing ones for a failure, the errored ones for an error. */
export function explainingVerdicts(scenario: ScenarioResult): Verdict[] {
  const verdicts = lastAttemptVerdicts(scenario);
  if (scenario.status === 'failed') return verdicts.filter((v) => v.outcome === 'failed');
  if (scenario.status === 'error') return verdicts.filter((v) => v.outcome === 'error');
  if (scenario.status === 'skipped') return verdicts.filter((v) => v.outcome === 'skipped');
  return [];
}

/** A short message for a non-passing scenario: why it did not pass. */
export function scenarioMessage(scenario: ScenarioResult): string {
  const reasons: string[] = [];
  const attemptError = scenario.attempts.at(-1)?.error;
  if (scenario.error) reasons.push(scenario.error);
  else if (attemptError) reasons.push(attemptError);
  for (const v of explainingVerdicts(scenario)) reasons.push(describeVerdict(v));
  if (scenario.status === 'failed' && scenario.attempts.length > 1) {
    const passed = scenario.attempts.filter((a) => a.status === 'passed').length;
    reasons.unshift(`${passed} of ${scenario.attempts.length} attempts passed`);
  }
  return reasons.join('\n') || `scenario ${scenario.status}`;
}
