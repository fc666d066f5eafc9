/**
 * Scores one production trace with one monitoring judge. Production traces have no scenario
 * and no sandbox, so the judges that make sense are the ones that read the trace: the
 * built-in checks (contains, regex, tool-sequence, max-tool-errors, json-schema on output…).
 */
import type { JudgeResult } from '../judges/types';
import type { ScenarioDef } from '../scenario/schema';
import type { Trace } from '../trace/model';
import { BUILTIN_CHECKS } from '../judges/checks';
import { describeArgIssues } from '../judges/checks/check';
import { finalInput } from '../judges/checks/traceText';
import type { MonitorJudge } from './config';
import { judgeName } from './config';

export type Scorer = (trace: Trace, judge: MonitorJudge) => Promise<JudgeResult>;

/** Judges of a monitoring config that no scorer can run: a config error to report up front. */
export function unknownMonitorJudges(judges: readonly MonitorJudge[]): string[] {
  return judges.filter((j) => !BUILTIN_CHECKS.has(j.judge)).map((j) => `${judgeName(j)}: "${j.judge}" is not a built-in check (${[...BUILTIN_CHECKS.keys()].join(', ')})`);
}

export function builtinCheckScorer(workspaceDir: string): Scorer {
  return async (trace, judge) => {
    const check = BUILTIN_CHECKS.get(judge.judge);
    if (!check) return { outcome: 'error', value: null, rationale: '', error: unknownMonitorJudges([judge])[0] };
    const args = check.args.safeParse(judge.with);
    if (!args.success) {
      const reason = `costar.monitor.yaml, judge ${judgeName(judge)}: ${describeArgIssues(args.error).join('; ')}`;
      return { outcome: 'error', value: null, rationale: reason, error: reason };
    }
    const expectation = { judge: judge.judge, with: judge.with, name: judgeName(judge) };
    // A production trace stands in for a scenario: its input is the prompt.
    const scenario: ScenarioDef = {
      id: `production-${trace.info.traceId.slice(0, 8)}`,
      tags: [],
      setup: { files: {}, env: {}, commands: [] },
      prompt: finalInput(trace) || '(production trace)',
      expectations: [expectation],
      pass: 'all',
    };
    try {
      return await check.run({ trace, scenario, expectation, expectationIndex: 0, workspaceDir, signal: AbortSignal.timeout(60_000) }, args.data);
    } catch (error) {
      const reason = `${judgeName(judge)} crashed: ${(error as Error).message}`;
      return { outcome: 'error', value: null, rationale: reason, error: reason };
    }
  };
}
