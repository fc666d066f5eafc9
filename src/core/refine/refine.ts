/**
 * Refinement end to end, without an editor: propose (context → assistant loop → history
 * record), decide (write accepted hunks, record the decisions), verify (re-run, record the
 * results). The extension uses propose and verify and applies hunks itself; the CLI uses
 * propose; refineAndVerify chains all three for scripts and tests.
 */
import type { ModelClient } from '../llm/types';
import type { RunReport } from '../run/protocol';
import { resolveRun } from '../run/runStore';
import { loadConfig } from '../scenario/load';
import { applyFileChange, type AppliedFile, type FileDecision } from './apply';
import { SourceFolders } from './confinement';
import { buildRefineContext, type RefineContext } from './context';
import { newRefinementId, saveRefinement, type RefinementRecord } from './history';
import { runRefineLoop, type RefineBudget, type RefineStep } from './loop';
import { nextRoundOf, redScenariosOfAgent } from './rounds';
import { verifyRefinement, type Verification, type VerifyOptions } from './verify';

export interface ProposeOptions {
  workspaceDir: string;
  agent: string;
  /** Scenarios to fix (default: every failing scenario of the agent in the run). */
  scenarioIds?: readonly string[];
  /** Run id, or 'latest' (default): the newest agent run. */
  runId?: string;
  model: ModelClient;
  budget?: Partial<RefineBudget>;
  /** Said to the assistant after the context: what happened to the previous round (feedback.ts). */
  feedback?: string;
  /** The refinement this round follows (history link). */
  previousRefinementId?: string;
  /** Which round this is (1 for a first refinement). */
  round?: number;
  signal?: AbortSignal;
  onStep?(step: RefineStep): void;
}

export interface Proposal {
  record: RefinementRecord;
  context: RefineContext;
  sources: SourceFolders;
  /** The run being refined. */
  before: RunReport;
  /** Where the history record is. */
  historyFile: string;
}

export async function proposeRefinement(options: ProposeOptions): Promise<Proposal> {
  const before = await resolveRun(options.workspaceDir, options.runId);
  const context = await buildRefineContext({
    workspaceDir: options.workspaceDir,
    agent: options.agent,
    report: before,
    ...(options.scenarioIds ? { scenarioIds: options.scenarioIds } : {}),
  });
  const sources = await SourceFolders.open(context.workspaceDir, context.sourceFolders);
  const result = await runRefineLoop({
    model: options.model,
    context,
    sources,
    ...(options.budget ? { budget: options.budget } : {}),
    ...(options.feedback ? { feedback: options.feedback } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
  });
  const record: RefinementRecord = {
    id: newRefinementId(),
    createdAt: Date.now(),
    agent: options.agent,
    scenarioIds: context.scenarios.map((s) => s.id),
    fromRunId: before.runId,
    contextHash: result.contextHash,
    model: result.model,
    ...(options.round && options.round > 1 ? { round: options.round } : {}),
    ...(options.previousRefinementId ? { previousRefinementId: options.previousRefinementId } : {}),
    ...(options.feedback ? { feedback: options.feedback } : {}),
    usage: { ...result.usage, steps: result.steps },
    stopReason: result.stopReason,
    summary: result.changeSet.summary,
    proposal: result.changeSet.files,
  };
  const historyFile = await saveRefinement(context.workspaceDir, record);
  return { record, context, sources, before, historyFile };
}

/** The agent's source folders, for checking paths again when edits are applied. */
export async function sourceFoldersOf(workspaceDir: string, agent: string): Promise<SourceFolders> {
  const { config, configFile } = await loadConfig(workspaceDir);
  const agentConfig = config?.agents[agent];
  if (!agentConfig) throw new Error(`no agent "${agent}" in ${configFile}`);
  return SourceFolders.open(workspaceDir, agentConfig.source);
}

/** Writes the accepted hunks ('all', or per file; files not listed are rejected) and records the decisions. */
export async function acceptRefinement(workspaceDir: string, record: RefinementRecord, decisions: 'all' | readonly FileDecision[]): Promise<AppliedFile[]> {
  const sources = await sourceFoldersOf(workspaceDir, record.agent);
  const applied: AppliedFile[] = [];
  for (const change of record.proposal) {
    const accepted = decisions === 'all' ? 'all' : new Set(decisions.find((d) => d.path === change.path)?.accepted ?? []);
    applied.push(await applyFileChange(sources, change, accepted));
  }
  await recordDecisions(workspaceDir, record, applied);
  return applied;
}

/** Records what the developer accepted (the editor applies hunks itself, then calls this). */
export async function recordDecisions(workspaceDir: string, record: RefinementRecord, decisions: AppliedFile[]): Promise<void> {
  record.decisions = decisions;
  record.decidedAt = Date.now();
  await saveRefinement(workspaceDir, record);
}

export async function verifyAndRecord(record: RefinementRecord, options: Omit<VerifyOptions, 'targeted'>): Promise<Verification> {
  const verification = await verifyRefinement({ ...options, targeted: record.scenarioIds });
  record.verification = verification.summary;
  await saveRefinement(options.workspaceDir, record);
  return verification;
}

export interface RefineAndVerifyOptions extends ProposeOptions {
  harnessPath: string;
  /** Decides what to accept; undefined (or nothing accepted) ends the refinement without a re-run. */
  decide(proposal: Proposal): Promise<'all' | FileDecision[] | undefined>;
  secretEnv?: Record<string, string>;
  suite?: boolean;
  onPhase?: VerifyOptions['onPhase'];
}

export interface RefineAndVerifyResult {
  proposal: Proposal;
  applied: AppliedFile[];
  verification?: Verification;
}

/** Propose, let `decide` pick hunks, write them, then re-run the targeted scenarios and the suite. */
export async function refineAndVerify(options: RefineAndVerifyOptions): Promise<RefineAndVerifyResult> {
  const proposal = await proposeRefinement(options);
  const workspaceDir = proposal.context.workspaceDir;
  const decisions = await options.decide(proposal);
  if (!decisions) return { proposal, applied: [] };
  const applied = await acceptRefinement(workspaceDir, proposal.record, decisions);
  if (!applied.some((f) => f.written)) return { proposal, applied };
  const verification = await verifyAndRecord(proposal.record, {
    workspaceDir,
    harnessPath: options.harnessPath,
    before: proposal.before,
    ...(options.suite !== undefined ? { suite: options.suite } : {}),
    ...(options.secretEnv ? { secretEnv: options.secretEnv } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onPhase ? { onPhase: options.onPhase } : {}),
  });
  return { proposal, applied, verification };
}

export interface RefineRoundsOptions extends RefineAndVerifyOptions {
  /** At most this many rounds (the first included); every round still goes through `decide`. */
  maxRounds: number;
  onRound?(round: number): void;
}

/**
 * - green: the agent's scenarios pass after a round
 * - max-rounds: still red after the last allowed round
 * - no-change: the assistant proposed nothing
 * - nothing-accepted: `decide` accepted no hunk (there is nothing new to re-run)
 */
export type RoundsStopReason = 'green' | 'max-rounds' | 'no-change' | 'nothing-accepted';

export interface RefineRoundsResult {
  rounds: RefineAndVerifyResult[];
  stopReason: RoundsStopReason;
}

/**
 * Auto-iterate: refine, decide, re-run; while the agent's scenarios are still red, start the
 * next round with the rejected hunks and the re-run's failures — up to `maxRounds`. Every
 * round pauses on `decide`: nothing is written without an answer.
 */
export async function refineRounds(options: RefineRoundsOptions): Promise<RefineRoundsResult> {
  const rounds: RefineAndVerifyResult[] = [];
  let next: ProposeOptions = options;
  for (let round = 1; ; round++) {
    options.onRound?.(round);
    const result = await refineAndVerify({ ...options, ...next });
    rounds.push(result);
    const record = result.proposal.record;
    if (record.proposal.length === 0) return { rounds, stopReason: 'no-change' };
    if (!result.applied.some((f) => f.written)) return { rounds, stopReason: 'nothing-accepted' };
    if ((await redScenariosOfAgent(result.proposal.context.workspaceDir, record)).length === 0) return { rounds, stopReason: 'green' };
    if (round >= options.maxRounds) return { rounds, stopReason: 'max-rounds' };
    const { scenarioIds, ...following } = nextRoundOf(record);
    next = { ...options, ...following, ...(scenarioIds ? { scenarioIds } : {}) };
    if (!scenarioIds) delete next.scenarioIds;
  }
}
