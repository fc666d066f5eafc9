/**
 * The extension: wires the engine to VS Code. It receives the `vscode` API object instead
 * of importing it, so every adapter can also be driven by a small fake host in unit tests.
 * Activation only creates objects and registers listeners; discovery runs after it.
 */
import type * as vscodeTypes from 'vscode';
import { ApiKeyStore } from './apiKey';
import { resolveResultTrace } from './openTrace';
import { RunStatusBar } from './statusBar';
import { Discovery } from './testing/discovery';
import { ResultLog } from './testing/resultLog';
import { RunHandler } from './testing/runHandler';
import { TestTree } from './testing/testTree';
import { registerTraceViewer } from './traceViewer/index';
import { CLEAR_TRACES_FILTER_COMMAND, FILTER_TRACES_COMMAND, REFRESH_TRACES_COMMAND, TRACES_VIEW_ID, TracesView } from './traces/tracesView';
import { contributedCommands, registerLazily } from './lazyFeature';
import { registerAssistantTools, registerMcpServer } from './assist/register';
import type { VSCode } from './vscodeApi';

/** What `activate` returns: used by the in-editor integration tests (and other extensions). */
export interface CostarApi {
  readonly controller: vscodeTypes.TestController;
  readonly results: ResultLog;
  /** Resolves when the Test Explorer reflects every file change seen so far. */
  discovered(): Promise<void>;
  /** The items a TestRunRequest can include. */
  readonly tree: TestTree;
  /** The run profiles, by kind of run. */
  readonly profiles: { run: vscodeTypes.TestRunProfile; rescore: vscodeTypes.TestRunProfile; debug: vscodeTypes.TestRunProfile };
  readonly statusBar: RunStatusBar;
}

export class Extension implements vscodeTypes.Disposable {
  private readonly disposables: vscodeTypes.Disposable[] = [];

  constructor(
    private readonly vscode: VSCode,
    private readonly context: vscodeTypes.ExtensionContext,
  ) {}

  activate(): CostarApi {
    const { vscode, context } = this;
    const log = vscode.window.createOutputChannel('coSTAR', { log: true });
    const controller = vscode.tests.createTestController('costar', 'coSTAR');
    const diagnostics = vscode.languages.createDiagnosticCollection('costar');
    const statusBar = new RunStatusBar(vscode);
    const tree = new TestTree(vscode, controller);
    const discovery = new Discovery(vscode, tree, diagnostics, log);
    const results = new ResultLog();
    const apiKeys = new ApiKeyStore(vscode, context.secrets);
    const handler = new RunHandler({
      vscode, tree, discovery, results, statusBar, apiKeys, log,
      workspaceState: context.workspaceState,
      harnessPath: context.asAbsolutePath('dist/harness.js'),
    });

    // Run: run the agent, then judge its trace. Re-score: judge the latest stored traces, no agent.
    const run = controller.createRunProfile('Run', vscode.TestRunProfileKind.Run,
      (request, token) => handler.handle(request, token, 'run'), true, undefined, true);
    const rescore = controller.createRunProfile('Re-score', vscode.TestRunProfileKind.Run,
      (request, token) => handler.handle(request, token, 'rescore'), false, undefined, true);
    // Debug: the agent under its debugger (one attempt, one at a time, no agent timeout; docs/debugging.md).
    const debug = controller.createRunProfile('Debug', vscode.TestRunProfileKind.Debug,
      (request, token) => handler.handle(request, token, 'debug'), true);
    controller.refreshHandler = () => discovery.refresh();

    this.disposables.push(
      log, controller, diagnostics, statusBar, discovery, run, rescore, debug,
      vscode.commands.registerCommand('costar.setApiKey', () => apiKeys.promptAndStore()),
      vscode.commands.registerCommand('costar.selectModel', async (arg?: unknown) => (await import('./llm/selectModel')).selectModelCommand(vscode, arg)),
      vscode.commands.registerCommand('costar.refresh', () => discovery.refresh()),
    );
    // The trace viewer is needed at once (custom editor, panels restored after a reload); the
    // other features load on their first command (see lazyFeature.ts).
    const common = { workspaceDir: () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, log: (message: string) => log.info(message) };
    const feature = <T>(name: string): T => require(context.asAbsolutePath(`dist/features/${name}.js`)) as T;
    this.disposables.push(
      ...registerTraceViewer(vscode, context, { ...common, resolveTraceArg: (arg) => resolveResultTrace(vscode, tree, results, arg) }),
      registerLazily(vscode, contributedCommands(context, 'costar.labelTraces', 'costar.alignJudge'), () =>
        feature<typeof import('./labeling/index')>('labeling').registerLabeling(vscode, context, common)),
      registerLazily(vscode, contributedCommands(context, 'costar.openDashboard'), () =>
        feature<typeof import('./dashboard/index')>('dashboard').registerDashboard(vscode, context, common)),
      registerLazily(vscode, contributedCommands(context, 'costar.createWorkspace'), () =>
        feature<typeof import('./init/index')>('init').registerInit(vscode, context, common)),
      registerLazily(vscode, contributedCommands(context, 'costar.compareWithLastGreen'), () =>
        feature<typeof import('./runDiff/index')>('runDiff').registerRunDiff(vscode, context, common)),
      registerLazily(vscode, contributedCommands(context, 'costar.refine'), () =>
        feature<typeof import('./refine/index')>('refine').registerRefine(vscode, context, {
          ...common,
          harnessPath: context.asAbsolutePath('dist/harness.js'),
          apiKey: () => apiKeys.get(),
          workspaceState: context.workspaceState,
          // Re-runs go through the Run profile, so the Testing view shows red turning green.
          runScenarios: async (workspaceDir, scenarioIds) => {
            const items = scenarioIds ? scenarioIds.flatMap((id) => tree.scenarioItem(workspaceDir, id) ?? []) : tree.scenarioItems(workspaceDir);
            await handler.runOnce(new vscode.TestRunRequest(items, [], run), new vscode.CancellationTokenSource().token, 'run');
          },
          scenarioOf: (item) => {
            const ref = item && typeof item === 'object' && 'id' in item ? tree.ref(item as vscodeTypes.TestItem) : undefined;
            return ref?.kind === 'scenario' ? { workspaceDir: ref.workspaceDir, scenarioId: ref.scenarioId } : undefined;
          },
        })),
    );
    // The coding assistant's side: coSTAR's tools as Language Model Tools, the MCP server for
    // chats that speak MCP, and "Fix with assistant" (assist/index.ts, loaded on first use).
    const scenarioOfAny = (item: unknown) => {
      const ref = item && typeof item === 'object' && 'id' in item ? tree.ref(item as vscodeTypes.TestItem) : undefined;
      return ref?.kind === 'scenario' || ref?.kind === 'judge' ? { workspaceDir: ref.workspaceDir, scenarioId: ref.scenarioId } : undefined;
    };
    const assistDeps = { ...common, harnessPath: context.asAbsolutePath('dist/harness.js'), apiKey: () => apiKeys.get(), scenarioOf: scenarioOfAny };
    this.disposables.push(
      ...registerAssistantTools(vscode, context, () => feature<typeof import('./assist/index')>('assist').createAssistFeature(vscode, assistDeps)),
      ...registerMcpServer(vscode, context, common.workspaceDir),
      registerLazily(vscode, contributedCommands(context, 'costar.fixWithAssistant'), () =>
        feature<typeof import('./assist/index')>('assist').registerAssistCommands(vscode, assistDeps)),
    );
    this.disposables.push(...this.registerTracesView());
    context.subscriptions.push(this);
    discovery.start();
    return { controller, results, tree, statusBar, profiles: { run, rescore, debug }, discovered: () => discovery.settled() };
  }

  /** The Traces view: rows come from the first workspace folder's `.costar/`, read when the view asks. */
  private registerTracesView(): vscodeTypes.Disposable[] {
    const { vscode } = this;
    const workspaceDir = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const view = new TracesView(vscode, () => {
      const dir = workspaceDir();
      return dir ? { rows: async (filter) => (await import('./traces/traceSource')).loadTraceRows(dir, filter) } : undefined;
    });
    const watchers = ['.costar/traces/*.trace.json', '.costar/runs/*/report.json'].map((glob) => {
      const dir = workspaceDir();
      return dir ? vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), glob)) : undefined;
    }).filter((w): w is vscodeTypes.FileSystemWatcher => w !== undefined);
    return [
      view,
      vscode.window.registerTreeDataProvider(TRACES_VIEW_ID, view),
      ...watchers.flatMap((w) => [w, w.onDidCreate(() => view.refreshSoon()), w.onDidChange(() => view.refreshSoon()), w.onDidDelete(() => view.refreshSoon())]),
      vscode.commands.registerCommand(REFRESH_TRACES_COMMAND, () => view.refresh()),
      vscode.commands.registerCommand(FILTER_TRACES_COMMAND, () => view.pickFilter()),
      vscode.commands.registerCommand(CLEAR_TRACES_FILTER_COMMAND, () => view.setFilter({})),
    ];
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
