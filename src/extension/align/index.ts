/**
 * "coSTAR: Align Judge": pick an LLM judge and a method, align it under a cancellable progress
 * notification, report held-out κ before → after and, when a new version is offered, show it
 * in the diff editor against the judge file with Accept / Reject. Reject (or dismissing the
 * question) leaves the judge file untouched. All logic is in alignFlow.ts.
 */
import * as path from 'node:path';
import type * as vscodeTypes from 'vscode';
import type { AlignMethod, AlignResult } from '../../core/golden/align/align';
import { AlignmentCancelled } from '../../core/golden/align/budget';
import { ApiKeyStore } from '../apiKey';
import type { VSCode } from '../vscodeApi';
import { alignableJudges, decideAlignment, describeAlignment, methodChoices, NoModelConfigured, runAlignment, type AlignmentRun } from './alignFlow';
import { modelEnvironmentFor, requireTrust } from '../modelAccess';
import { workspaceModelClient } from '../llm/editorModels';

export const ALIGN_JUDGE_COMMAND = 'costar.alignJudge';
const PROPOSAL_SCHEME = 'costar-aligned-judge';

export interface AlignJudgeDeps {
  workspaceDir(): string | undefined;
  log(message: string): void;
}

/** Arguments for scripted use (tests); a person gets pickers and buttons instead. */
export interface AlignJudgeOptions {
  judgeId?: string;
  method?: AlignMethod;
  decision?: 'accept' | 'reject';
}

/** What the command returns: the alignment, the decision taken and the files written. */
export interface AlignJudgeOutcome {
  result: AlignResult;
  decision?: 'accept' | 'reject';
  written: string[];
}

export function registerAlignJudge(vscode: VSCode, context: vscodeTypes.ExtensionContext, deps: AlignJudgeDeps): vscodeTypes.Disposable[] {
  const apiKeys = new ApiKeyStore(vscode, context.secrets);
  /** Proposed judge file texts by proposal URI path, for the diff editor's right side. */
  const proposals = new Map<string, string>();
  const provider = vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, { provideTextDocumentContent: (uri) => proposals.get(uri.path) ?? '' });

  async function alignJudgeCommand(arg?: unknown): Promise<AlignJudgeOutcome | undefined> {
    const options: AlignJudgeOptions = typeof arg === 'object' && arg !== null ? (arg as AlignJudgeOptions) : {};
    const workspaceDir = deps.workspaceDir();
    if (!workspaceDir) return void vscode.window.showWarningMessage('coSTAR: open a folder with a costar.yaml to align a judge.');
    // Alignment calls the model the workspace names, with a key the workspace names.
    if (!requireTrust(vscode, 'aligns judges')) return undefined;
    let run: AlignmentRun | undefined;
    try {
      const { config, judges } = await alignableJudges(workspaceDir);
      if (judges.length === 0) return void vscode.window.showInformationMessage('coSTAR: no LLM judge in a judge file to align (agentic, check and inline judges are not aligned). Add judges/<id>.judge.yaml with kind: llm.');
      const judgeId = options.judgeId ?? (await pickJudge(vscode, judges));
      if (!judgeId) return undefined;
      const method = options.method ?? (await pickMethod(vscode));
      if (!method) return undefined;
      const secretEnv = await modelEnvironmentFor(vscode, context.workspaceState, workspaceDir, await apiKeys.get(), config.model);
      const env = { ...process.env, ...secretEnv };
      // The same seam as judges and Refine: costar.model.provider picks the endpoint or the editor's model.
      const modelFor = (loaded: typeof config) => workspaceModelClient(vscode, workspaceDir, env, loaded.model);
      run = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `coSTAR: aligning ${judgeId} (${method})`, cancellable: true },
        (progress, token) => {
          const cancel = new AbortController();
          token.onCancellationRequested(() => cancel.abort());
          return runAlignment({ workspaceDir, judgeId, method, env, modelFor, signal: cancel.signal, onProgress: (message) => progress.report({ message }) });
        },
      );
    } catch (error) {
      return void reportFailure(vscode, deps, error);
    }
    for (const note of run.notes) deps.log(`align: ${note}`);
    const { result } = run;
    const summary = describeAlignment(result);
    deps.log(`align: ${summary}`);
    if (!result.offered || !result.proposal) {
      void vscode.window.showInformationMessage(`coSTAR: ${summary}`);
      return { result, written: [] };
    }

    const file = vscode.Uri.file(result.proposal.file);
    const proposalUri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: result.proposal.file });
    proposals.set(proposalUri.path, result.proposal.text);
    await vscode.commands.executeCommand('vscode.diff', file, proposalUri, `${path.basename(result.proposal.file)} ↔ aligned version ${result.proposal.version}`);
    const decision = options.decision ?? ((await vscode.window.showInformationMessage(`coSTAR: ${summary} Accept the new judge version?`, 'Accept', 'Reject')) === 'Accept' ? 'accept' : 'reject');
    proposals.delete(proposalUri.path);
    if (decision === 'accept' && vscode.workspace.textDocuments.some((d) => d.uri.fsPath === file.fsPath && d.isDirty)) {
      void vscode.window.showErrorMessage(`coSTAR: ${path.basename(file.fsPath)} has unsaved changes; nothing was written. Save or revert it, then run "coSTAR: Align Judge" again.`);
      return { result, decision: 'reject', written: [] };
    }
    try {
      const written = await decideAlignment(workspaceDir, run, decision);
      if (decision === 'accept') void vscode.window.showInformationMessage(`coSTAR: ${result.judgeId} is now version ${result.proposal.version} (${written.map((f) => path.relative(workspaceDir, f)).join(', ')}).`);
      return { result, decision, written };
    } catch (error) {
      reportFailure(vscode, deps, error);
      return { result, decision: 'reject', written: [] };
    }
  }

  return [provider, vscode.commands.registerCommand(ALIGN_JUDGE_COMMAND, alignJudgeCommand)];
}

async function pickJudge(vscode: VSCode, judges: { id: string; file: string; version: string; labelled: number }[]): Promise<string | undefined> {
  const pick = await vscode.window.showQuickPick(
    judges.map((j) => ({ label: j.id, description: `${j.labelled} labelled trace${j.labelled === 1 ? '' : 's'} · version ${j.version}`, detail: j.file, id: j.id })),
    { title: 'coSTAR: Align Judge', placeHolder: 'The LLM judge to align with its golden set' },
  );
  return pick?.id;
}

async function pickMethod(vscode: VSCode): Promise<AlignMethod | undefined> {
  const pick = await vscode.window.showQuickPick(
    methodChoices().map((c) => ({ label: c.label, detail: c.detail, method: c.method })),
    { title: 'coSTAR: Align Judge — method', placeHolder: 'How to align the judge' },
  );
  return pick?.method;
}

function reportFailure(vscode: VSCode, deps: AlignJudgeDeps, error: unknown): void {
  if (error instanceof AlignmentCancelled) {
    void vscode.window.showInformationMessage('coSTAR: alignment cancelled; nothing was changed.');
    return;
  }
  if (error instanceof NoModelConfigured) {
    void vscode.window.showErrorMessage(`coSTAR: ${error.message}`, 'Select Model', 'Set API Key', 'Open Settings').then((choice) => {
      if (choice === 'Select Model') void vscode.commands.executeCommand('costar.selectModel');
      if (choice === 'Set API Key') void vscode.commands.executeCommand('costar.setApiKey');
      if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'costar.model');
    });
    return;
  }
  const message = (error as Error)?.message ?? String(error);
  deps.log(`align failed: ${(error as Error)?.stack ?? message}`);
  void vscode.window.showErrorMessage(`coSTAR: cannot align: ${message}`);
}
