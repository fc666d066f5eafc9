/**
 * "coSTAR: Refine agent": pick the agent and the failing scenarios of the last run, confirm
 * the model, let the assistant work under a cancellable progress notification, then show
 * each proposed change inline. When every hunk is decided, the decisions go to the history
 * and (if anything was accepted) the targeted scenarios and then the whole suite run again,
 * ending with a summary: fixed, still failing, newly failing.
 */
import * as path from 'node:path';
import type * as vscodeTypes from 'vscode';
import { createModelClientFromEnv, MODEL_SETUP_HINT } from '../../core/llm/fromEnv';
import type { ModelClient } from '../../core/llm/types';
import type { AppliedFile } from '../../core/refine/apply';
import type { FileChange } from '../../core/refine/changeSet';
import { saveRefinement } from '../../core/refine/history';
import { proposeRefinement, recordDecisions, type Proposal } from '../../core/refine/refine';
import { formatVerification, summarizeVerification, verifyRefinement, type VerificationSummary } from '../../core/refine/verify';
import type { RunReport } from '../../core/run/protocol';
import { latestRun } from '../../core/run/runStore';
import { loadWorkspace } from '../../core/scenario/load';
import { modelEnvironment, readSettings } from '../settings';
import type { VSCode } from '../vscodeApi';
import type { InlineProposals } from './proposals';

export interface RefineDeps {
  workspaceDir(): string | undefined;
  /** Absolute path of dist/harness.js. */
  harnessPath: string;
  /** The model API key (SecretStorage). */
  apiKey(): Thenable<string | undefined>;
  log(message: string): void;
  /**
   * Runs scenarios (all when undefined) the way the Test Explorer does, so the Testing view
   * shows the re-run; without it, verification runs the harness directly.
   */
  runScenarios?(workspaceDir: string, scenarioIds: string[] | undefined): Promise<void>;
  /** The scenario a Test Explorer item stands for (the context action on a failed scenario). */
  scenarioOf?(item: unknown): { workspaceDir: string; scenarioId: string } | undefined;
}

/** Arguments for scripted use (tests, other commands); a person gets pickers instead. */
export interface RefineCommandOptions {
  agent?: string;
  scenarioIds?: string[];
  /** false: skip the model confirmation dialog. */
  confirm?: boolean;
  /** true: re-run as soon as every hunk is decided, without asking. */
  verify?: boolean;
}

/** What the command returns: the refinement and a promise of its end (decided and, if anything was accepted, verified). */
export interface RefineSessionHandle {
  refinementId: string;
  files: string[];
  finished: Promise<{ decisions: AppliedFile[]; verification?: VerificationSummary }>;
}

export async function refineAgentCommand(vscode: VSCode, proposals: InlineProposals, deps: RefineDeps, arg?: unknown): Promise<RefineSessionHandle | undefined> {
  const fromItem = arg !== undefined ? deps.scenarioOf?.(arg) : undefined;
  const options: RefineCommandOptions = fromItem ? { scenarioIds: [fromItem.scenarioId] } : isOptions(arg) ? arg : {};
  const workspaceDir = fromItem?.workspaceDir ?? deps.workspaceDir();
  if (!workspaceDir) return void vscode.window.showErrorMessage('coSTAR: open a folder with a costar.yaml to refine an agent.');
  if (!vscode.workspace.isTrusted) return void vscode.window.showErrorMessage('coSTAR refines agents only in a trusted workspace: trust this workspace first.');

  const before = await latestRun(workspaceDir, 'run');
  if (!before) return void vscode.window.showErrorMessage('coSTAR: no stored run yet. Run the scenarios first, then refine the agent of the failing ones.');
  const workspace = await loadWorkspace(workspaceDir);
  const agentOf = new Map(workspace.scenarios.map((s) => [s.def.id, s.agentName]));
  const failing = before.scenarios.filter((s) => (s.status === 'failed' || s.status === 'error') && agentOf.has(s.id));
  if (failing.length === 0) return void vscode.window.showInformationMessage(`coSTAR: nothing failed in the last run (${before.runId}); there is nothing to refine.`);

  const agent = options.agent ?? (options.scenarioIds?.[0] ? agentOf.get(options.scenarioIds[0]) : undefined) ?? (await pickAgent(vscode, failing.map((s) => agentOf.get(s.id)!)));
  if (!agent) return;
  const scenarioIds = options.scenarioIds ?? (await pickScenarios(vscode, failing.filter((s) => agentOf.get(s.id) === agent)));
  if (!scenarioIds || scenarioIds.length === 0) return;

  const secretEnv = modelEnvironment(readSettings(vscode, vscode.Uri.file(workspaceDir)), await deps.apiKey(), workspace.config?.model?.apiKeyEnv);
  const model = createModelClientFromEnv({ ...process.env, ...secretEnv }, workspace.config?.model);
  if (!model) {
    const choice = await vscode.window.showErrorMessage(`coSTAR: Refine needs a model. ${MODEL_SETUP_HINT}`, 'Set API Key', 'Open Settings');
    if (choice === 'Set API Key') void vscode.commands.executeCommand('costar.setApiKey');
    if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'costar.model');
    return;
  }
  if (options.confirm !== false && !(await confirmModel(vscode, model, agent, scenarioIds))) return;

  const proposal = await propose(vscode, deps, { workspaceDir, agent, scenarioIds, runId: before.runId, model });
  if (!proposal) return;
  const { record } = proposal;
  if (record.proposal.length === 0) {
    void vscode.window.showInformationMessage(`coSTAR: the assistant proposed no change (${record.stopReason}). ${record.summary}`);
    return;
  }
  const finished = review(vscode, proposals, record.proposal, workspaceDir).then(async (decisions) => {
    await recordDecisions(workspaceDir, record, decisions);
    if (!decisions.some((d) => d.written)) return { decisions };
    if (!options.verify) {
      const choice = await vscode.window.showInformationMessage('coSTAR: edits accepted. Re-run the refined scenarios, then the whole suite?', 'Re-run', 'Later');
      if (choice !== 'Re-run') return { decisions };
    }
    await saveAccepted(vscode, workspaceDir, decisions);
    const verification = await verify(vscode, deps, workspaceDir, proposal.before, record.scenarioIds, secretEnv);
    if (!verification) return { decisions };
    record.verification = verification;
    await saveRefinement(workspaceDir, record);
    void showSummary(vscode, verification);
    return { decisions, verification };
  });
  finished.catch((error: Error) => {
    deps.log(`refinement ${record.id} failed: ${error.stack ?? error.message}`);
    void vscode.window.showErrorMessage(`coSTAR: refinement failed: ${error.message}`);
  });
  void vscode.window.showInformationMessage(
    `coSTAR: ${record.proposal.length} file(s) changed — review each hunk inline (Accept | Reject). ${record.summary}`,
  );
  return { refinementId: record.id, files: record.proposal.map((f) => f.path), finished };
}

async function propose(vscode: VSCode, deps: RefineDeps, args: { workspaceDir: string; agent: string; scenarioIds: string[]; runId: string; model: ModelClient }): Promise<Proposal | undefined> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `coSTAR: refining ${args.agent}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      try {
        return await proposeRefinement({
          ...args,
          signal: abort.signal,
          onStep: (step) => progress.report({ message: `step ${step.step}: ${step.toolCalls.map((c) => c.name).join(', ')}` }),
        });
      } catch (error) {
        if (abort.signal.aborted) return undefined;
        deps.log(`refine failed: ${(error as Error).stack ?? error}`);
        void vscode.window.showErrorMessage(`coSTAR: refine failed: ${(error as Error).message}`);
        return undefined;
      }
    },
  );
}

/** Opens every change for review; resolves when each file's hunks are all decided. */
async function review(vscode: VSCode, proposals: InlineProposals, changes: FileChange[], workspaceDir: string): Promise<AppliedFile[]> {
  const decided = new Map<string, AppliedFile>();
  const paths = new Set(changes.map((c) => c.path));
  let resolveAll!: () => void;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const record = (file: AppliedFile) => {
    if (!paths.has(file.path)) return;
    decided.set(file.path, file);
    if (decided.size === paths.size) resolveAll();
  };
  const subscription = proposals.onDidResolve(record);
  for (const change of changes) {
    const uri = vscode.Uri.file(path.join(workspaceDir, change.path));
    if (change.original === null) {
      void reviewNewFile(vscode, uri, change).then(record);
      continue;
    }
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: false });
    proposals.add(uri, change);
  }
  await all;
  subscription.dispose();
  return changes.map((c) => decided.get(c.path)!);
}

/** A file the assistant wants to create has no document to decorate: ask, with a preview. */
async function reviewNewFile(vscode: VSCode, uri: vscodeTypes.Uri, change: FileChange): Promise<AppliedFile> {
  const preview = await vscode.workspace.openTextDocument({ content: change.proposed });
  await vscode.window.showTextDocument(preview, { preview: true });
  const choice = await vscode.window.showInformationMessage(`coSTAR proposes a new file ${change.path}: ${change.explanation}`, 'Create', 'Reject');
  if (choice !== 'Create') return { path: change.path, accepted: [], rejected: [0], written: false };
  const edit = new vscode.WorkspaceEdit();
  edit.createFile(uri, { ignoreIfExists: false, contents: new TextEncoder().encode(change.proposed) });
  const ok = await vscode.workspace.applyEdit(edit);
  return { path: change.path, accepted: ok ? [0] : [], rejected: ok ? [] : [0], written: ok };
}

async function verify(vscode: VSCode, deps: RefineDeps, workspaceDir: string, before: RunReport, targeted: string[], secretEnv: Record<string, string>): Promise<VerificationSummary | undefined> {
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
          return summarizeVerification(before, targetedReport, suiteReport);
        }
        const result = await verifyRefinement({
          workspaceDir, harnessPath: deps.harnessPath, before, targeted, secretEnv, signal: abort.signal,
          onPhase: (phase) => progress.report({ message: phase === 'targeted' ? `refined scenarios: ${targeted.join(', ')}` : 'whole suite (regression check)' }),
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

async function showSummary(vscode: VSCode, summary: VerificationSummary): Promise<void> {
  const text = `coSTAR refine: ${formatVerification(summary)}`;
  const red = summary.newlyFailing.length > 0 || summary.stillFailing.length > 0;
  const choice = red ? await vscode.window.showWarningMessage(text, 'Show Testing') : await vscode.window.showInformationMessage(text, 'Show Testing');
  if (choice === 'Show Testing') await vscode.commands.executeCommand('workbench.view.testing.focus');
}

async function pickAgent(vscode: VSCode, agents: string[]): Promise<string | undefined> {
  const counts = new Map<string, number>();
  for (const a of agents) counts.set(a, (counts.get(a) ?? 0) + 1);
  if (counts.size === 1) return agents[0];
  const pick = await vscode.window.showQuickPick(
    [...counts].map(([label, n]) => ({ label, description: `${n} failing scenario(s)` })),
    { title: 'coSTAR: Refine agent', placeHolder: 'Which agent should the assistant change?' },
  );
  return pick?.label;
}

async function pickScenarios(vscode: VSCode, failing: RunReport['scenarios']): Promise<string[] | undefined> {
  const picks = await vscode.window.showQuickPick(
    failing.map((s) => ({ label: s.id, description: `${s.status} · ${s.file}:${s.line}`, picked: true })),
    { title: 'coSTAR: Refine agent — failing scenarios to fix', canPickMany: true },
  );
  return picks?.map((p) => p.label);
}

async function confirmModel(vscode: VSCode, model: ModelClient, agent: string, scenarioIds: string[]): Promise<boolean> {
  const choice = await vscode.window.showInformationMessage(
    `Refine agent "${agent}" for ${scenarioIds.length} failing scenario(s) with model ${model.model}?`,
    { modal: true, detail: 'The assistant reads the failing verdicts and the agent\'s source folders and proposes edits. Nothing is written until you accept.' },
    'Refine',
  );
  return choice === 'Refine';
}

function isOptions(arg: unknown): arg is RefineCommandOptions {
  return typeof arg === 'object' && arg !== null && !Array.isArray(arg) && ('agent' in arg || 'scenarioIds' in arg || 'confirm' in arg || 'verify' in arg);
}
