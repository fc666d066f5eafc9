/**
 * The run profiles' handler: checks Workspace Trust, picks the scenarios, starts the
 * harness (a separate process: an agent can never take the editor down) per workspace
 * folder, and reports its events. Cancel kills the harness and its agents' process trees.
 */
import type * as vscodeTypes from 'vscode';
import type { startRun } from '../../core/run/client';
import type { RunSummary } from '../../core/run/protocol';
import { HOST_MODEL_VERSION } from '../../core/run/versions';
import type { ApiKeyStore } from '../apiKey';
import { readSettings } from '../settings';
import type { RunStatusBar } from '../statusBar';
import type { VSCode } from '../vscodeApi';
import type { Discovery } from './discovery';
import type { ResultLog } from './resultLog';
import { AgentSourceWatch } from './agentSources';
import { RunReporter } from './runReporter';
import { selectScenarios } from './selection';
import type { TestTree } from './testTree';
import { modelEnvironmentFor } from '../modelAccess';
import { DebugAttacher } from './debugAttach';

/** 'debug': the Debug profile, a run with each agent under its debugger (see debugAttach.ts). */
export type RunMode = 'run' | 'rescore' | 'debug';

export const UNTRUSTED_MESSAGE = 'coSTAR runs agents and judges only in a trusted workspace. Trust this workspace to run its scenarios.';

export interface RunHandlerDeps {
  vscode: VSCode;
  tree: TestTree;
  discovery: Discovery;
  results: ResultLog;
  statusBar: RunStatusBar;
  apiKeys: ApiKeyStore;
  /** Where approvals of model key variables are remembered (see modelAccess.ts). */
  workspaceState: vscodeTypes.Memento;
  log: vscodeTypes.LogOutputChannel;
  /** Absolute path of dist/harness.js. */
  harnessPath: string;
}

export class RunHandler {
  private modelHintShown = false;

  constructor(private readonly deps: RunHandlerDeps) {}

  async handle(request: vscodeTypes.TestRunRequest, token: vscodeTypes.CancellationToken, mode: RunMode): Promise<void> {
    if (request.continuous) return this.watch(request, token, mode);
    await this.runOnce(request, token, mode);
  }

  async runOnce(request: vscodeTypes.TestRunRequest, token: vscodeTypes.CancellationToken, mode: RunMode): Promise<void> {
    const { vscode, tree, discovery, log } = this.deps;
    await discovery.settled();
    const selected = selectScenarios(tree, request.include, request.exclude);
    const run = tree.controller.createTestRun(request, RUN_NAMES[mode]);
    try {
      const reporters = [...selected].map(([workspaceDir, items]) => ({
        workspaceDir, items, reporter: new RunReporter(vscode, run, tree, this.deps.results, workspaceDir, items),
      }));
      if (!vscode.workspace.isTrusted) {
        for (const { items, reporter } of reporters) for (const item of items) reporter.reportError(item, UNTRUSTED_MESSAGE);
        this.showUntrustedMessage();
        return;
      }
      for (const { reporter } of reporters) reporter.enqueueAll();
      const totals: RunSummary = { total: 0, passed: 0, failed: 0, error: 0, skipped: 0, durationMs: 0 };
      if (reporters.length > 0) this.deps.statusBar.showRunning();
      for (const { workspaceDir, items, reporter } of reporters) {
        if (token.isCancellationRequested) {
          reporter.finishRemaining({ cancelled: true });
          continue;
        }
        const scenarioIds = items.map((item) => tree.ref(item)).flatMap((ref) => (ref?.kind === 'scenario' ? [ref.scenarioId] : []));
        const summary = await this.runWorkspace(workspaceDir, scenarioIds, mode, reporter, token);
        if (summary) for (const key of Object.keys(totals) as (keyof RunSummary)[]) totals[key] += summary[key];
      }
      if (reporters.length > 0) this.deps.statusBar.showSummary(totals);
      this.offerModelSetup(reporters.reduce((n, { reporter }) => n + reporter.modelSkips, 0));
    } catch (error) {
      log.error(`coSTAR run failed: ${(error as Error).stack ?? error}`);
    } finally {
      run.end();
    }
  }

  private async runWorkspace(
    workspaceDir: string,
    scenarioIds: string[],
    mode: RunMode,
    reporter: RunReporter,
    token: vscodeTypes.CancellationToken,
  ): Promise<RunSummary | undefined> {
    const { vscode, log, apiKeys, discovery } = this.deps;
    const settings = readSettings(vscode, vscode.Uri.file(workspaceDir));
    const apiKey = await apiKeys.get();
    const redact = secretRedactor(apiKey);
    log.info(`coSTAR ${mode}: ${scenarioIds.length} scenario(s) in ${workspaceDir}`);
    let handle: ReturnType<typeof startRun> | undefined;
    let attacher: DebugAttacher | undefined;
    const cancellation = token.onCancellationRequested(() => {
      log.info('coSTAR: cancel requested, stopping the harness');
      handle?.cancel();
      attacher?.stopAll();
    });
    try {
      const { startRun } = await import('../../core/run/client');
      // With the editor's model, the harness asks this host for every model call (protocol modelRequest).
      const editor = settings.modelProvider === 'vscode' ? await import('../llm/editorModels') : undefined;
      handle = startRun(
        {
          workspaceDir,
          mode: mode === 'rescore' ? 'rescore' : 'run',
          ...(mode === 'debug' ? { debug: true } : {}),
          scenarioIds,
          concurrency: settings.concurrency || undefined,
          timeoutMs: settings.defaultTimeoutSeconds ? settings.defaultTimeoutSeconds * 1000 : undefined,
          secretEnv: await modelEnvironmentFor(vscode, this.deps.workspaceState, workspaceDir, apiKey, discovery.workspace(workspaceDir)?.config?.model),
          ...(editor ? { hostModel: { version: HOST_MODEL_VERSION, model: settings.editorModel } } : {}),
        },
        {
          harnessPath: this.deps.harnessPath,
          ...(editor ? { answerModel: editor.answerWithEditorModel(vscode) } : {}),
          onEvent: (event) => {
            if (event.type === 'log') log[event.level](redact(event.message));
            else if (event.type === 'fatal') log.error(redact(event.message));
            else if (event.type === 'debuggee') void attacher?.attach(event.scenarioId, event.attempt, event.debuggee);
            reporter.onEvent(event);
          },
          onLog: (line) => log.info(redact(line)),
        },
      );
      // Events arrive from the harness's pipe, never before this line.
      const started = handle;
      if (mode === 'debug') attacher = new DebugAttacher(vscode, started.runId, workspaceDir, started, (id, text) => reporter.say(id, text));
      if (token.isCancellationRequested) handle.cancel();
      const report = await handle.done;
      reporter.finishRemaining({ cancelled: token.isCancellationRequested });
      return report.summary;
    } catch (error) {
      const message = redact((error as Error).message ?? String(error));
      log.error(`coSTAR ${mode} in ${workspaceDir} failed: ${message}`);
      reporter.finishRemaining({ cancelled: token.isCancellationRequested, error: message });
      return undefined;
    } finally {
      cancellation.dispose();
      attacher?.dispose();
    }
  }

  /**
   * Skipped model-based judges are grey and quiet in the tree; say once per session why, with
   * the two actions that fix it (each item's output repeats the how-to).
   */
  private offerModelSetup(skipped: number): void {
    if (skipped === 0 || this.modelHintShown) return;
    this.modelHintShown = true;
    const { vscode } = this.deps;
    void vscode.window
      .showInformationMessage(`coSTAR: ${skipped} model-based judge(s) were skipped because no model is configured.`, 'Select Model', 'Open Settings', 'Set API Key')
      .then((choice) => {
        if (choice === 'Select Model') void vscode.commands.executeCommand('costar.selectModel');
        if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'costar.model');
        if (choice === 'Set API Key') void vscode.commands.executeCommand('costar.setApiKey');
      });
  }

  private showUntrustedMessage(): void {
    const { vscode } = this.deps;
    void vscode.window.showErrorMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  }

  /**
   * Continuous run: a scenario file change re-runs that file's scenarios; a judge or
   * costar.yaml change re-scores the watched scenarios (their traces stay valid); an edit in
   * an agent's `source` folders re-runs the watched scenarios of that agent (Run profile only:
   * re-scoring would judge the old traces again).
   */
  private watch(request: vscodeTypes.TestRunRequest, token: vscodeTypes.CancellationToken, mode: RunMode): Promise<void> {
    const { vscode, tree, discovery } = this.deps;
    return new Promise((resolve) => {
      let queue = Promise.resolve();
      const watched = () => [...selectScenarios(tree, request.include, request.exclude).values()].flat();
      const enqueue = (items: vscodeTypes.TestItem[], runMode: RunMode) => {
        if (items.length === 0) return;
        const next = new vscode.TestRunRequest(items, request.exclude, request.profile, false);
        queue = queue.then(() => this.runOnce(next, token, runMode));
      };
      const sources = new AgentSourceWatch(vscode, ({ workspaceDir, agents }) => {
        const agentOf = new Map((discovery.workspace(workspaceDir)?.scenarios ?? []).map((s) => [s.def.id, s.agentName]));
        enqueue(watched().filter((item) => {
          const ref = tree.ref(item);
          return ref?.kind === 'scenario' && ref.workspaceDir === workspaceDir && agents.has(agentOf.get(ref.scenarioId) ?? '');
        }), 'run');
      });
      const watchSources = () => {
        if (mode !== 'run') return;
        const dirs = new Set(watched().map((item) => tree.ref(item)?.workspaceDir));
        sources.update([...dirs].flatMap((dir) => (dir && discovery.workspace(dir)) || []));
      };
      void discovery.settled().then(watchSources);
      const subscription = discovery.onDidReload(({ files }) => {
        watchSources();
        const items = watched();
        const judgesChanged = files.some((f) => /(\.judge\.yaml|costar\.yaml)$/.test(f));
        const changedScenarios = items.filter((item) => {
          const ref = tree.ref(item);
          return ref?.kind === 'scenario' && files.includes(ref.file);
        });
        const runMode: RunMode = judgesChanged && mode === 'run' && changedScenarios.length === 0 ? 'rescore' : mode;
        enqueue(judgesChanged ? items : changedScenarios, runMode);
      });
      token.onCancellationRequested(() => {
        subscription.dispose();
        sources.dispose();
        void queue.then(() => resolve());
      });
    });
  }
}

const RUN_NAMES: Record<RunMode, string> = { run: 'coSTAR run', rescore: 'coSTAR re-score', debug: 'coSTAR debug' };

/** Belt and braces: even if a judge echoed the key, it never reaches the log channel. */
function secretRedactor(secret: string | undefined): (text: string) => string {
  if (!secret || secret.length < 4) return (text) => text;
  return (text) => text.split(secret).join('***');
}
