/**
 * The rules that turn results into outcomes, as tables: the attempt's status (agent failure ×
 * judge verdicts), the pass rules over repeated attempts, and the CLI exit code. Each row is a
 * rule somebody could break by "simplifying"; every rule here was broken on purpose once to
 * watch its rows go red. The same rules with real agent processes (exit code, timeout) are in
 * harness-judges.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitCodeFor } from '../../src/cli/commands/run';
import { EXIT } from '../../src/cli/command';
import { decidePassRule } from '../../src/core/judges/stats';
import type { Outcome, Verdict } from '../../src/core/judges/types';
import type { RunReport } from '../../src/core/run/protocol';
import type { PassRuleDef } from '../../src/core/scenario/schema';
import { attemptOutcome } from '../../src/harness/suite';

const verdict = (outcome: Outcome): Verdict => ({
  judge: 'j',
  name: 'j',
  expectationIndex: 0,
  outcome,
  value: outcome === 'passed',
  rationale: outcome,
  source: 'CODE',
  spanIds: [],
  judgeVersion: '1',
  cost: { inputTokens: 0, outputTokens: 0, modelCalls: 0, ms: 0 },
  createdAt: 0,
});

const AGENT_FAILED = 'the agent exited with code 3';
const TIMED_OUT = 'timed out after 1.5 s; the process tree was killed';

/** [agent error, judge verdicts, attempt status] */
const ATTEMPTS: [string | undefined, Outcome[], Outcome][] = [
  [undefined, [], 'passed'],
  [undefined, ['passed', 'passed'], 'passed'],
  [undefined, ['passed', 'failed'], 'failed'],
  [undefined, ['passed', 'error'], 'error'],
  [undefined, ['failed', 'error'], 'error'], // a judge error outranks a judge's "no"
  [undefined, ['error', 'failed', 'passed'], 'error'],
  [undefined, ['skipped', 'skipped'], 'skipped'],
  [undefined, ['skipped', 'passed'], 'passed'],
  [undefined, ['skipped', 'failed'], 'failed'],
  [undefined, ['skipped', 'error'], 'error'],
  [AGENT_FAILED, [], 'error'],
  [AGENT_FAILED, ['passed'], 'error'], // a crashed agent is never a pass, whatever it left behind
  [AGENT_FAILED, ['failed'], 'error'],
  [AGENT_FAILED, ['skipped'], 'error'],
  [TIMED_OUT, ['passed', 'passed'], 'error'],
  [TIMED_OUT, ['failed'], 'error'],
];

test('attempt status: agent failure × judge verdicts', () => {
  for (const [agentError, outcomes, expected] of ATTEMPTS) {
    assert.equal(attemptOutcome(agentError, outcomes.map(verdict)), expected, `agent ${agentError ?? 'ok'}, verdicts [${outcomes.join(', ')}]`);
  }
});

/** [rule, attempt outcomes, scenario outcome] */
const RULES: [PassRuleDef, Outcome[], Outcome][] = [
  ['all', ['passed'], 'passed'],
  ['all', ['passed', 'passed', 'passed'], 'passed'],
  ['all', ['passed', 'failed', 'passed'], 'failed'],
  ['all', ['passed', 'error', 'passed'], 'error'], // the error might have been a fail
  ['all', ['failed', 'error'], 'failed'], // already failed whatever the error was
  ['all', ['error'], 'error'],
  ['all', ['skipped', 'passed'], 'passed'],
  ['all', ['skipped', 'skipped'], 'skipped'],
  [{ at_least: 2 }, ['passed', 'passed', 'failed'], 'passed'],
  [{ at_least: 2 }, ['passed', 'failed', 'failed'], 'failed'],
  [{ at_least: 2 }, ['passed', 'error', 'failed'], 'error'],
  [{ at_least: 2 }, ['passed', 'passed', 'error'], 'passed'], // reached whatever the error was
  [{ at_least: 3 }, ['passed', 'error', 'failed'], 'failed'],
  [{ at_least: 1 }, ['skipped', 'error'], 'error'],
  [{ rate: 0.5 }, ['passed', 'failed'], 'passed'],
  [{ rate: 0.5 }, ['passed', 'failed', 'failed'], 'failed'],
  [{ rate: 0.5 }, ['passed', 'error', 'failed', 'failed'], 'error'],
  [{ rate: 0.5 }, ['passed', 'passed', 'error', 'failed'], 'passed'],
  [{ rate: 1 }, ['passed', 'skipped'], 'passed'],
  [{ rate: 0 }, ['failed', 'failed'], 'passed'],
];

test('pass rules over repeated attempts: an error never becomes a pass, nor a fail that might have been a pass', () => {
  for (const [rule, outcomes, expected] of RULES) {
    assert.equal(decidePassRule(rule, outcomes), expected, `${JSON.stringify(rule)} over [${outcomes.join(', ')}]`);
  }
});

const report = (counts: Partial<Record<Outcome, number>>): RunReport => {
  const summary = { total: 0, passed: 0, failed: 0, error: 0, skipped: 0, durationMs: 0, ...counts };
  summary.total = summary.passed + summary.failed + summary.error + summary.skipped;
  return { runId: 'r', mode: 'run', workspaceDir: '/w', startedAt: 0, scenarios: [], summary } as RunReport;
};

/** [scenario outcomes counted, exit code] */
const EXITS: [Partial<Record<Outcome, number>>, number][] = [
  [{}, EXIT.ok],
  [{ passed: 3 }, EXIT.ok],
  [{ passed: 2, skipped: 1 }, EXIT.ok],
  [{ skipped: 2 }, EXIT.ok],
  [{ passed: 2, failed: 1 }, EXIT.failed],
  [{ failed: 1, skipped: 1 }, EXIT.failed],
  [{ passed: 1, error: 1 }, EXIT.error],
  [{ failed: 5, error: 1 }, EXIT.error], // errors outrank failures: that scenario was never tested
  [{ error: 1, failed: 1, passed: 1, skipped: 1 }, EXIT.error],
];

test('CLI exit code: 3 when anything errored, else 1 when anything failed, else 0', () => {
  assert.deepEqual([EXIT.ok, EXIT.failed, EXIT.error], [0, 1, 3]);
  for (const [counts, expected] of EXITS) {
    assert.equal(exitCodeFor(report(counts)), expected, JSON.stringify(counts));
  }
});
