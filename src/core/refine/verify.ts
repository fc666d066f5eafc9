/**
 * Red → green: after accepted edits, run the targeted scenarios again (fast feedback), then
 * the whole suite (the regression check), and sort every scenario into fixed, still failing
 * and newly failing compared with the run that was refined.
 */
import type { Outcome } from '../judges/types';
import { classify } from '../report/diff';
import { lastAttemptVerdicts } from '../report/jsonReport';
import { startRun, type RunClientOptions } from '../run/client';
import type { HarnessEvent, RunReport, ScenarioResult } from '../run/protocol';

export interface ScenarioChange {
  id: string;
  file: string;
  line: number;
  before?: Outcome;
  after: Outcome;
  /** Why it is red now (judge rationales), when it is. */
  rationale?: string;
}

export interface VerificationSummary {
  targetedRunId: string;
  /** Absent when the suite run was not requested. */
  suiteRunId?: string;
  fixed: ScenarioChange[];
  stillFailing: ScenarioChange[];
  newlyFailing: ScenarioChange[];
  /** Scenarios green after the change (fixed ones included). */
  passing: number;
  total: number;
}

export type VerifyPhase = 'targeted' | 'suite';

export interface VerifyOptions {
  workspaceDir: string;
  /** Absolute path of dist/harness.js. */
  harnessPath: string;
  /** The run whose failures were refined. */
  before: RunReport;
  /** The scenarios the refinement aimed at. */
  targeted: readonly string[];
  /** Also re-run the whole suite (default true). */
  suite?: boolean;
  /** Model key for the judges; passed to the harness, never stored. */
  secretEnv?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onPhase?(phase: VerifyPhase, runId: string): void;
  onEvent?(event: HarnessEvent): void;
}

export interface Verification {
  summary: VerificationSummary;
  targetedReport: RunReport;
  suiteReport?: RunReport;
}

export async function verifyRefinement(options: VerifyOptions): Promise<Verification> {
  const targetedReport = await runPhase(options, 'targeted', [...options.targeted]);
  const suiteReport = options.suite === false ? undefined : await runPhase(options, 'suite', undefined);
  return { summary: summarizeVerification(options.before, targetedReport, suiteReport), targetedReport, ...(suiteReport ? { suiteReport } : {}) };
}

async function runPhase(options: VerifyOptions, phase: VerifyPhase, scenarioIds: string[] | undefined): Promise<RunReport> {
  if (options.signal?.aborted) throw new Error('verification cancelled');
  const client: RunClientOptions = { harnessPath: options.harnessPath, ...(options.onEvent ? { onEvent: options.onEvent } : {}), ...(options.env ? { env: options.env } : {}) };
  const handle = startRun(
    { workspaceDir: options.workspaceDir, mode: 'run', ...(scenarioIds ? { scenarioIds } : {}), ...(options.secretEnv ? { secretEnv: options.secretEnv } : {}) },
    client,
  );
  options.onPhase?.(phase, handle.runId);
  const onAbort = () => handle.cancel();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const report = await handle.done;
    if (options.signal?.aborted) throw new Error('verification cancelled');
    return report;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** The suite run decides where it ran a scenario; otherwise the targeted run does. */
export function summarizeVerification(before: RunReport, targeted: RunReport, suite?: RunReport): VerificationSummary {
  const latest = new Map<string, ScenarioResult>();
  for (const s of targeted.scenarios) latest.set(s.id, s);
  for (const s of suite?.scenarios ?? []) latest.set(s.id, s);
  const previous = new Map(before.scenarios.map((s) => [s.id, s]));
  const summary: VerificationSummary = {
    targetedRunId: targeted.runId,
    ...(suite ? { suiteRunId: suite.runId } : {}),
    fixed: [],
    stillFailing: [],
    newlyFailing: [],
    passing: 0,
    total: latest.size,
  };
  for (const now of latest.values()) {
    const was = previous.get(now.id)?.status;
    const change: ScenarioChange = { id: now.id, file: now.file, line: now.line, ...(was ? { before: was } : {}), after: now.status };
    if (now.status === 'passed') summary.passing++;
    else change.rationale = redReason(now);
    // A scenario that did not exist in the refined run counts as green before: red now is newly failing.
    switch (classify(was ?? 'passed', now.status)) {
      case 'fixed':
        summary.fixed.push(change);
        break;
      case 'still-failing':
        summary.stillFailing.push(change);
        break;
      case 'newly-failing':
        summary.newlyFailing.push(change);
        break;
    }
  }
  return summary;
}

function redReason(result: ScenarioResult): string {
  const reasons = lastAttemptVerdicts(result)
    .filter((v) => v.outcome === 'failed' || v.outcome === 'error')
    .map((v) => `${v.name}: ${v.rationale || v.error || v.outcome}`);
  if (result.error) reasons.unshift(result.error);
  return reasons.join('; ') || result.status;
}

/** One line per group, for terminals, notifications and logs. */
export function formatVerification(summary: VerificationSummary): string {
  const list = (items: ScenarioChange[]) => (items.length === 0 ? 'none' : items.map((s) => s.id).join(', '));
  return `fixed: ${list(summary.fixed)} · still failing: ${list(summary.stillFailing)} · newly failing: ${list(summary.newlyFailing)} (${summary.passing}/${summary.total} passing)`;
}
