/**
 * One round of Refine in the editor, and the rounds after it: propose (cancellable progress),
 * review every hunk inline, record the decisions, re-run through the Run profile, summarize.
 * When the agent's scenarios are still red the next round starts by itself up to
 * `costar.refine.maxRounds` (each proposal still waits for the developer's decisions);
 * beyond that, or after everything was rejected, the developer is offered "Refine again".
 * A review can also end without answers: Discard, or closing every editor of a file.
 */
import * as path from 'node:path';
import type * as vscodeTypes from 'vscode';
import type { ModelClient } from '../../core/llm/types';
import type { AppliedFile } from '../../core/refine/apply';
import type { FileChange } from '../../core/refine/changeSet';
import { saveRefinement, type RefinementRecord } from '../../core/refine/history';
import { proposeRefinement, recordDecisions, sourceFoldersOf, type Proposal } from '../../core/refine/refine';
import type { SourceFolders } from '../../core/refine/confinement';
import { nextRoundOf, redScenariosOfAgent } from '../../core/refine/rounds';
import { formatVerification, hasRegressions, heldOutOfWorkspace, summarizeVerification, verifyRefinement, type VerificationSummary, type VerifyPhase } from '../../core/refine/verify';
import type { RunReport } from '../../core/run/protocol';
import { latestRun } from '../../core/run/runStore';
import type { VSCode } from '../vscodeApi';
import type { InlineProposals } from './proposals';
import type { RefineDeps } from './deps';

/** What stays the same from round to round. */
export interface RefineSession {
  vscode: VSCode;
  proposals: InlineProposals;
  deps: RefineDeps;
  workspaceDir: string;
  agent: string;
  model: ModelClient;
  /** Model key for the judges of the re-run; never stored. */
  secretEnv: Record<string, string>;
  /** Re-run as soon as every hunk is decided, without asking. */
  verifyWithoutAsking: boolean;
  /** Rounds started without asking, the first included (setting costar.refine.maxRounds). */
  maxRounds: number;
}

export interface RoundRequest {
  runId: string;
  scenarioIds?: string[];
  feedback?: string;
  previousRefinementId?: string;
  round: number;
}

export interface RoundOutcome {
  decisions: AppliedFile[];
  verification?: VerificationSummary;
  /** The developer discarded the proposal: undecided hunks were rejected and nothing re-ran. */
  discarded?: boolean;
  /** The round that auto-iterate started because the agent's scenarios were still red. */
  nextRound?: RefineSessionHandle;
}

/** What the command returns: the refinement and a promise of its end (decided and, if anything was accepted, verified). */
export interface RefineSessionHandle {
  refinementId: string;
  round: number;
  files: string[];
  finished: Promise<RoundOutcome>;
}

export async function startRound(session: RefineSession, request: RoundRequest): Promise<RefineSessionHandle | undefined> {
  const { vscode } = session;
  const proposal = await propose(session, request);
  if (!proposal) return undefined;
  const { record } = proposal;
  if (record.proposal.length === 0) {
    void vscode.window.showInformationMessage(`coSTAR: the assistant proposed no change (${record.stopReason}). ${record.summary}`);
    return undefined;
  }
  const finished = finishRound(session, proposal);
  finished.catch((error: Error) => {
    session.deps.log(`refinement ${record.id} failed: ${error.stack ?? error.message}`);
    void vscode.window.showErrorMessage(`coSTAR: refinement failed: ${error.message}`);
  });
  const round = request.round > 1 ? ` (round ${request.round})` : '';
  void vscode.window.showInformationMessage(`coSTAR${round}: ${record.proposal.length} file(s) changed — review each hunk inline (Accept | Reject). ${record.summary}`);
  return { refinementId: record.id, round: request.round, files: record.proposal.map((f) => f.path), finished };
}

/** The request for the round after `record`: its rejected hunks and re-run as feedback. */
export function nextRequest(record: RefinementRecord): RoundRequest {
  const next = nextRoundOf(record);
  return {
    runId: next.runId,
    ...(next.scenarioIds ? { scenarioIds: next.scenarioIds } : {}),
    feedback: next.feedback,
    previousRefinementId: next.previousRefinementId,
    round: next.round,
  };
}

async function finishRound(session: RefineSession, proposal: Proposal): Promise<RoundOutcome> {
  const { vscode, workspaceDir } = session;
  const { record } = proposal;
  const decisions = await review(session, record);
  await recordDecisions(workspaceDir, record, decisions);
  if (decisions.some((d) => d.endedBy === 'discarded')) return { decisions, discarded: true };
  if (!decisions.some((d) => d.written)) {
    offerAnotherRound(session, record, 'coSTAR: nothing was accepted; the files are unchanged.');
    return { decisions };
  }
  if (!session.verifyWithoutAsking) {
    const choice = await vscode.window.showInformationMessage('coSTAR: edits accepted. Re-run the refined scenarios, then the whole suite?', 'Re-run', 'Later');
    if (choice !== 'Re-run') return { decisions };
  }
  await saveAccepted(vscode, workspaceDir, decisions);
  const verification = await verify(session, proposal.before, record.scenarioIds);
  if (!verification) return { decisions };
  record.verification = verification;
  await saveRefinement(workspaceDir, record);

  const red = await redScenariosOfAgent(workspaceDir, record);
  const round = record.round ?? 1;
  if (red.length > 0 && round < session.maxRounds) {
    void vscode.window.showWarningMessage(`coSTAR refine: ${formatVerification(verification)} — starting round ${round + 1} of ${session.maxRounds}.`);
    const nextRound = await startRound(session, nextRequest(record));
    return { decisions, verification, ...(nextRound ? { nextRound } : {}) };
  }
  showSummary(session, verification, red.length > 0 ? record : undefined);
  return { decisions, verification };
}

async function propose(session: RefineSession, request: RoundRequest): Promise<Proposal | undefined> {
  const { vscode } = session;
  const round = request.round > 1 ? ` (round ${request.round})` : '';
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `coSTAR: refining ${session.agent}${round}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      try {
        return await proposeRefinement({
          workspaceDir: session.workspaceDir,
          agent: session.agent,
          model: session.model,
          ...request,
          signal: abort.signal,
          onStep: (step) => progress.report({ message: `step ${step.step}: ${step.toolCalls.map((c) => c.name).join(', ')}` }),
        });
      } catch (error) {
        if (abort.signal.aborted) return undefined;
        session.deps.log(`refine failed: ${(error as Error).stack ?? error}`);
        void vscode.window.showErrorMessage(`coSTAR: refine failed: ${(error as Error).message}`);
        return undefined;
      }
    },
  );
}

/** Opens every change for review; resolves when each file is decided, or the proposal is discarded. */
async function review(session: RefineSession, record: RefinementRecord): Promise<AppliedFile[]> {
  const { vscode, proposals, workspaceDir } = session;
  const changes = record.proposal;
  const decided = new Map<string, AppliedFile>();
  const paths = new Set(changes.map((c) => c.path));
  let resolveAll!: () => void;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const decide = (file: AppliedFile) => {
    if (!paths.has(file.path) || decided.has(file.path)) return;
    decided.set(file.path, file);
    if (decided.size === paths.size) resolveAll();
  };
  const subscriptions = [
    proposals.onDidResolve(decide),
    // A new file waits in a notification, which Discard cannot close: it is rejected here.
    proposals.onDidDiscard((id) => {
      if (id !== record.id) return;
      for (const change of changes) decide({ path: change.path, accepted: [], rejected: [0], written: false, endedBy: 'discarded' });
    }),
  ];
  // Confinement again, now: the proposal was checked when it was made, but files, symlinks or
  // costar.yaml's source folders may have changed while the model worked.
  const sources = await sourceFoldersOf(workspaceDir, record.agent);
  for (const change of changes) {
    const confined = await sources.resolve(change.path);
    if (!confined.ok) {
      void vscode.window.showWarningMessage(`coSTAR: refused the proposed change to ${JSON.stringify(change.path)}: ${confined.reason}`);
      decide({ path: change.path, accepted: [], rejected: [0], written: false });
      continue;
    }
    const uri = vscode.Uri.file(confined.abs);
    if (change.original === null) {
      void reviewNewFile(vscode, uri, change, sources).then(decide);
      continue;
    }
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: false });
    proposals.add(uri, change, record.id);
  }
  await all;
  for (const s of subscriptions) s.dispose();
  return changes.map((c) => decided.get(c.path)!);
}

/** A file the assistant wants to create has no document to decorate: ask, with a preview. */
async function reviewNewFile(vscode: VSCode, uri: vscodeTypes.Uri, change: FileChange, sources: SourceFolders): Promise<AppliedFile> {
  const preview = await vscode.workspace.openTextDocument({ content: change.proposed });
  await vscode.window.showTextDocument(preview, { preview: true });
  const choice = await vscode.window.showInformationMessage(`coSTAR proposes a new file ${change.path}: ${change.explanation}`, 'Create', 'Reject');
  if (choice !== 'Create') return { path: change.path, accepted: [], rejected: [0], written: false };
  // The question may have waited a long time: check the place once more right before creating.
  const confined = await sources.resolve(change.path);
  if (!confined.ok) {
    void vscode.window.showWarningMessage(`coSTAR: did not create ${JSON.stringify(change.path)}: ${confined.reason}`);
    return { path: change.path, accepted: [], rejected: [0], written: false };
  }
  const edit = new vscode.WorkspaceEdit();
  edit.createFile(uri, { ignoreIfExists: false, contents: new TextEncoder().encode(change.proposed) });
  const ok = await vscode.workspace.applyEdit(edit);
  return { path: change.path, accepted: ok ? [0] : [], rejected: ok ? [] : [0], written: ok };
}

const PHASE_MESSAGES: Record<VerifyPhase, (targeted: string[]) => string> = {
  targeted: (targeted) => `refined scenarios: ${targeted.join(', ')}`,
  suite: () => 'whole suite (regression check)',
  'held-out': () => 'held-out scenarios (generalization check)',
};

async function verify(session: RefineSession, before: RunReport, targeted: string[]): Promise<VerificationSummary | undefined> {
  const { vscode, deps, workspaceDir } = session;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'coSTAR: re-running after refinement', cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      try {
        if (deps.runScenarios) {
          progress.report({ message: `refined scenarios: ${targeted.join(', ')}` });
          const targetedReport = await runThroughTestExplorer(deps, workspaceDir, targeted);
          if (abort.signal.aborted) return undefined;
          progress.report({ message: 'whole suite (regression check)' });
          const suiteReport = await runThroughTestExplorer(deps, workspaceDir, undefined);
          // Held-out scenarios ran in the suite; they are reported apart and never fed back to the assistant.
          return summarizeVerification(before, targetedReport, suiteReport, await heldOutOfWorkspace(workspaceDir));
        }
        const result = await verifyRefinement({
          workspaceDir, harnessPath: deps.harnessPath, before, targeted, secretEnv: session.secretEnv, signal: abort.signal,
          onPhase: (phase) => progress.report({ message: PHASE_MESSAGES[phase](targeted) }),
        });
        return result.summary;
      } catch (error) {
        if (abort.signal.aborted) return undefined;
        throw error;
      }
    },
  );
}

/** The re-run reads files from disk: save the documents that received accepted hunks. */
async function saveAccepted(vscode: VSCode, workspaceDir: string, decisions: AppliedFile[]): Promise<void> {
  for (const decision of decisions.filter((d) => d.written)) {
    const fsPath = path.join(workspaceDir, decision.path);
    const document = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === fsPath);
    if (document?.isDirty && !(await document.save())) throw new Error(`could not save ${decision.path}; save it and re-run the scenarios`);
  }
}

async function runThroughTestExplorer(deps: RefineDeps, workspaceDir: string, scenarioIds: string[] | undefined): Promise<RunReport> {
  const previous = (await latestRun(workspaceDir, 'run'))?.runId;
  await deps.runScenarios!(workspaceDir, scenarioIds);
  const report = await latestRun(workspaceDir, 'run');
  if (!report || report.runId === previous) throw new Error('the re-run produced no report (see the coSTAR output)');
  return report;
}

/** The summary; with "Refine again" when the agent is still red (`redRecord`). Never blocks the round's end. */
function showSummary(session: RefineSession, summary: VerificationSummary, redRecord: RefinementRecord | undefined): void {
  const { vscode } = session;
  const text = `coSTAR refine: ${formatVerification(summary)}`;
  const red = hasRegressions(summary) || summary.stillFailing.length > 0;
  const buttons = redRecord ? ['Refine again', 'Show Testing'] : ['Show Testing'];
  const shown = red ? vscode.window.showWarningMessage(text, ...buttons) : vscode.window.showInformationMessage(text, ...buttons);
  void shown.then(async (choice) => {
    if (choice === 'Show Testing') await vscode.commands.executeCommand('workbench.view.testing.focus');
    if (choice === 'Refine again' && redRecord) await startRound(session, nextRequest(redRecord));
  });
}

function offerAnotherRound(session: RefineSession, record: RefinementRecord, text: string): void {
  void session.vscode.window.showInformationMessage(`${text} Ask the assistant for another proposal (it is told what you rejected)?`, 'Refine again').then(async (choice) => {
    if (choice === 'Refine again') await startRound(session, nextRequest(record));
  });
}
