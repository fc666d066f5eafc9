/**
 * Red → green: after accepted edits, run the targeted scenarios again (fast feedback), then
 * the whole suite (the regression check), and sort every scenario into fixed, still failing
 * and newly failing compared with the run that was refined. Held-out scenarios (never shown
 * to the assistant) always run, even without the suite, and are reported apart: they are
 * the generalization check, and one turning red flags the change.
 */
import type { Outcome } from '../judges/types';
import { classify } from '../report/diff';
import { lastAttemptVerdicts } from '../report/jsonReport';
import { startRun, type RunClientOptions } from '../run/client';
import type { HarnessEvent, RunReport, ScenarioResult } from '../run/protocol';
import { loadWorkspace } from '../scenario/load';
import { heldOutIds, holdoutTags } from '../assist/holdout';

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
  /** The held-out scenarios, apart from the counts above (absent in records of older versions). */
  heldOut?: { passing: number; total: number; newlyFailing: ScenarioChange[]; stillFailing: ScenarioChange[] };
}

/** True when the change turned a scenario red that was green (shown, or held out): not a clean fix. */
export function hasRegressions(summary: VerificationSummary): boolean {
  return summary.newlyFailing.length > 0 || (summary.heldOut?.newlyFailing.length ?? 0) > 0;
}

export type VerifyPhase = 'targeted' | 'suite' | 'held-out';

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
  /** Ids of the held-out scenarios (default: read from the workspace's costar.yaml). */
  heldOut?: ReadonlySet<string>;
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
  /** The held-out run when the suite did not run (the suite run includes them). */
  heldOutReport?: RunReport;
}

export async function verifyRefinement(options: VerifyOptions): Promise<Verification> {
  const heldOut = options.heldOut ?? (await heldOutOfWorkspace(options.workspaceDir));
  const targetedReport = await runPhase(options, 'targeted', options.targeted.filter((id) => !heldOut.has(id)));
  const suiteReport = options.suite === false ? undefined : await runPhase(options, 'suite', undefined);
  const heldOutReport = !suiteReport && heldOut.size > 0 ? await runPhase(options, 'held-out', [...heldOut]) : undefined;
  return {
    summary: summarizeVerification(options.before, targetedReport, suiteReport ?? heldOutReport, heldOut),
    targetedReport,
    ...(suiteReport ? { suiteReport } : {}),
    ...(heldOutReport ? { heldOutReport } : {}),
  };
}

/** Ids of the workspace's held-out scenarios (costar.yaml `assistants.holdoutTags`). */
export async function heldOutOfWorkspace(workspaceDir: string): Promise<Set<string>> {
  const workspace = await loadWorkspace(workspaceDir);
  return heldOutIds(workspace.scenarios, holdoutTags(workspace.config));
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
export function summarizeVerification(before: RunReport, targeted: RunReport, suite?: RunReport, heldOut: ReadonlySet<string> = new Set()): VerificationSummary {
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
    total: 0,
    heldOut: { passing: 0, total: 0, newlyFailing: [], stillFailing: [] },
  };
  for (const now of latest.values()) {
    const was = previous.get(now.id)?.status;
    const change: ScenarioChange = { id: now.id, file: now.file, line: now.line, ...(was ? { before: was } : {}), after: now.status };
    if (now.status !== 'passed') change.rationale = redReason(now);
    if (heldOut.has(now.id)) {
      const group = summary.heldOut!;
      group.total++;
      if (now.status === 'passed') group.passing++;
      const kind = classify(was ?? 'passed', now.status);
      if (kind === 'newly-failing') group.newlyFailing.push(change);
      else if (kind === 'still-failing') group.stillFailing.push(change);
      continue;
    }
    summary.total++;
    if (now.status === 'passed') summary.passing++;
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
  const line = `fixed: ${list(summary.fixed)} · still failing: ${list(summary.stillFailing)} · newly failing: ${list(summary.newlyFailing)} (${summary.passing}/${summary.total} passing)`;
  return `${line}${formatHeldOut(summary)}${hasRegressions(summary) ? ' — ⚠ this change breaks a scenario that passed' : ''}`;
}

/** "; held-out: 3/3 still passing" — the generalization check, apart. */
function formatHeldOut(summary: VerificationSummary): string {
  const { heldOut } = summary;
  if (!heldOut || heldOut.total === 0) return '';
  if (heldOut.newlyFailing.length > 0) return ` · held-out: ${heldOut.passing}/${heldOut.total} passing, newly failing: ${heldOut.newlyFailing.map((s) => s.id).join(', ')}`;
  return ` · held-out: ${heldOut.passing}/${heldOut.total} ${heldOut.passing === heldOut.total ? 'still passing' : 'passing'}`;
}
