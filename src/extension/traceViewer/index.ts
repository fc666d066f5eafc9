/**
 * The trace viewer in VS Code: the `costar.openTrace` command, the read-only custom editor for
 * `*.trace.json` files, and the serializer that brings panels back after a reload. All trace
 * logic lives in the controller; this file only moves messages between it and a webview.
 */
import * as path from 'node:path';
import type * as vscodeTypes from 'vscode';
import type { TraceSourceRef } from '../../shared/traceViewerProtocol';
import type { Artifact } from '../../core/trace/model';
import { isTraceId } from '../../core/trace/ids';
import { renderErrorHtml, renderProgressHtml } from '../webviewHtml';
import type { TraceViewerController } from './controller';
import type { TraceSessions } from './session';

/** The viewer's logic, loaded when a trace is first shown (see runtime.ts). */
const runtime = () => import('./runtime');

type VSCode = typeof import('vscode');

export const OPEN_TRACE_COMMAND = 'costar.openTrace';
/** View type of the custom editor for `*.trace.json` files (restored by VS Code itself). */
export const TRACE_EDITOR_VIEW_TYPE = 'costar.traceViewer';
/** View type of panels opened by the command (restored by our serializer). */
export const TRACE_PANEL_VIEW_TYPE = 'costar.traceViewer.panel';
const ARTIFACT_SCHEME = 'costar-artifact';

export interface TraceViewerDeps {
  workspaceDir(): string | undefined;
  log(msg: string): void;
  /**
   * Turns a command argument the viewer does not know (e.g. a Test Explorer TestItem) into one
   * it does; the Test Explorer supplies it. Returning undefined means "nothing to open" and the
   * resolver has told the user why.
   */
  resolveTraceArg?(arg: unknown): Promise<OpenTraceArg | undefined>;
}

/**
 * What `costar.openTrace` accepts: a trace id (32 hex), a path of a trace file, a file Uri, or
 * an object naming either plus the span ids to reveal (e.g. those a failing judge cites).
 */
export type OpenTraceArg = string | vscodeTypes.Uri | { traceId?: string; traceFile?: string; spanIds?: string[] };

export function registerTraceViewer(vscode: VSCode, context: vscodeTypes.ExtensionContext, deps: TraceViewerDeps): vscodeTypes.Disposable[] {
  const webviewRoot = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
  const openPanels = new Map<string, { panel: vscodeTypes.WebviewPanel; controller: TraceViewerController }>();
  const artifacts = new Map<string, string>();

  const webviewOptions = { enableScripts: true, localResourceRoots: [webviewRoot] };

  const sourceKey = (source: TraceSourceRef) => (source.kind === 'store' ? `store:${source.traceId}` : `file:${source.uri}`);

  // One session (worker + outline) per open trace file, shared by its panels; created with the runtime.
  let sessions: TraceSessions | undefined;

  async function attach(panel: vscodeTypes.WebviewPanel, source: TraceSourceRef, revealSpanIds?: string[]): Promise<void> {
    panel.webview.options = webviewOptions;
    let disposed = false;
    const earlyDispose = panel.onDidDispose(() => { disposed = true; });
    const rt = await runtime();
    const { checkedHostMessage, renderLoadingViewerHtml, renderViewerHtml, TraceViewerController, traceTarget, viewerInput } = rt;
    sessions ??= new rt.TraceSessions(vscode.Uri.joinPath(context.extensionUri, 'dist', 'traceWorker.js').fsPath);
    const registry = sessions;
    panel.webview.html = renderProgressHtml('Opening the trace…');
    let controller: TraceViewerController;
    let file: string | undefined;
    let page: Awaited<ReturnType<TraceViewerController['page']>>;
    let loading: InstanceType<typeof rt.LoadingPage> | undefined;
    try {
      const target = await traceTarget(source, deps.workspaceDir(), (uri) => vscode.Uri.parse(uri).fsPath, vscode.Uri.joinPath(context.globalStorageUri, 'outlines').fsPath);
      // The outline is being built (no usable one was stored): the viewer's loading page shows
      // how far the scan got and the first spans read.
      loading = new rt.LoadingPage(panel.webview, () => renderLoadingViewerHtml({
        ...pageResources(panel),
        state: { loading: true, source, title: source.kind === 'store' ? `Trace ${source.traceId.slice(0, 8)}` : path.basename(target.file) },
      }), checkedHostMessage, () => disposed);
      const opening = loading;
      const session = await registry.acquire(target.file, {
        ...(target.outlineFile ? { outlineFile: target.outlineFile } : {}), ...(target.outlineCache ? { outlineCached: true } : {}),
        onProgress: (read, total) => opening.onProgress(read, total),
        onPreview: (skeleton) => opening.onPreview(skeleton),
      });
      file = target.file;
      if (target.outlineCache && target.outlineFile) void rt.noteOutlineUsed(target.outlineCache, target.outlineFile);
      for (const warning of session.warnings) deps.log(`trace viewer: ${warning}`);
      const input = await viewerInput(source, target, session, deps.workspaceDir());
      if (revealSpanIds) input.revealSpanIds = revealSpanIds;
      controller = new TraceViewerController(input);
      page = await controller.page();
    } catch (error) {
      if (file) void registry.release(file);
      const message = `coSTAR cannot show this trace: ${(error as Error).message}`;
      deps.log(message);
      loading?.dispose();
      if (!disposed) panel.webview.html = renderErrorHtml(message);
      earlyDispose.dispose();
      return;
    }
    loading.dispose();
    earlyDispose.dispose();
    const traceFile = file;
    if (disposed) {
      void registry.release(traceFile);
      return;
    }
    const { traceId } = page.state;
    panel.title = page.state.title;
    const key = sourceKey(source);
    openPanels.set(key, { panel, controller });
    const subscriptions = [
      panel.webview.onDidReceiveMessage((raw) => void controller.handle(raw, {
        post: (message) => void panel.webview.postMessage(checkedHostMessage(message)),
        openArtifact: (artifact) => void openArtifact(traceId, artifact),
        promote: (id, workspaceDir) => void promote(id, workspaceDir),
        log: deps.log,
      })),
    ];
    panel.onDidDispose(() => {
      if (openPanels.get(key)?.panel === panel) openPanels.delete(key);
      for (const s of subscriptions) s.dispose();
      controller.dispose();
      // The last panel of this trace releases its worker, outline and caches.
      void registry.release(traceFile);
    });
    panel.webview.html = renderViewerHtml({ ...pageResources(panel), page });
  }

  /** What the viewer's page loads, as URIs the webview may read. */
  function pageResources(panel: vscodeTypes.WebviewPanel): { cspSource: string; scriptUri: string; styleUris: string[] } {
    return {
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'trace-viewer.js')).toString(),
      styleUris: [panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'trace-viewer.css')).toString()],
    };
  }

  async function promote(traceId: string, workspaceDir: string): Promise<void> {
    try {
      const { openPromotedDraft } = await runtime();
      await openPromotedDraft(vscode, workspaceDir, traceId);
    } catch (error) {
      const text = `coSTAR: cannot promote trace ${traceId}: ${(error as Error).message}`;
      deps.log(text);
      void vscode.window.showErrorMessage(text);
    }
  }

  async function openArtifact(traceId: string, artifact: Artifact): Promise<void> {
    if (artifact.text === undefined) {
      void vscode.window.showInformationMessage(`coSTAR: the content of ${artifact.path} was not recorded (binary, deleted or over the size cap).`);
      return;
    }
    const uri = vscode.Uri.from({ scheme: ARTIFACT_SCHEME, path: `/${traceId}/${artifact.path}` });
    artifacts.set(uri.toString(), artifact.text);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  async function open(arg: unknown): Promise<void> {
    const resolved = await resolveArg(arg);
    if (!resolved) return;
    const { source, spanIds } = resolved;
    const existing = openPanels.get(sourceKey(source));
    if (existing) {
      existing.panel.reveal();
      const { checkedHostMessage } = await runtime();
      if (spanIds?.length) void existing.controller.rowsOf(spanIds).then((rows) => existing.panel.webview.postMessage(checkedHostMessage({ type: 'reveal', rows })));
      return;
    }
    const panel = vscode.window.createWebviewPanel(TRACE_PANEL_VIEW_TYPE, 'Trace', vscode.ViewColumn.Active, webviewOptions);
    await attach(panel, source, spanIds);
  }

  async function resolveArg(arg: unknown): Promise<{ source: TraceSourceRef; spanIds?: string[] } | undefined> {
    if (arg === undefined || arg === null) {
      const traceId = await pickTrace();
      return traceId ? { source: { kind: 'store', traceId } } : undefined;
    }
    if (typeof arg === 'string') return { source: stringSource(arg) };
    if (arg instanceof vscode.Uri) return { source: { kind: 'file', uri: arg.toString() } };
    if (typeof arg === 'object' && ('traceId' in arg || 'traceFile' in arg)) {
      const { traceId, traceFile, spanIds } = arg as { traceId?: unknown; traceFile?: unknown; spanIds?: unknown };
      const ids = Array.isArray(spanIds) ? spanIds.filter((s): s is string => typeof s === 'string') : undefined;
      if (typeof traceId === 'string' && isTraceId(traceId)) return { source: { kind: 'store', traceId }, ...(ids ? { spanIds: ids } : {}) };
      if (typeof traceFile === 'string') return { source: stringSource(traceFile), ...(ids ? { spanIds: ids } : {}) };
    }
    if (deps.resolveTraceArg) {
      const next = await deps.resolveTraceArg(arg);
      return next === undefined ? undefined : resolveArg(next);
    }
    void vscode.window.showErrorMessage('coSTAR: Open Trace needs a trace id, a trace file or a test result with a recorded trace.');
    return undefined;
  }

  function stringSource(text: string): TraceSourceRef {
    if (isTraceId(text)) return { kind: 'store', traceId: text };
    const ws = deps.workspaceDir();
    const uri = text.startsWith('/') || !ws ? vscode.Uri.file(text) : vscode.Uri.joinPath(vscode.Uri.file(ws), text);
    return { kind: 'file', uri: uri.toString() };
  }

  async function pickTrace(): Promise<string | undefined> {
    const ws = deps.workspaceDir();
    if (!ws) {
      void vscode.window.showInformationMessage('coSTAR: open a workspace folder with a costar.yaml to browse its traces.');
      return undefined;
    }
    const { recentTraces } = await runtime();
    const items = (await recentTraces(ws)).map((t) => ({ label: t.label, description: t.description, detail: t.detail, traceId: t.traceId }));
    if (items.length === 0) {
      void vscode.window.showInformationMessage('coSTAR: no stored trace yet. Run some scenarios, or open a *.trace.json file.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(items, { title: 'coSTAR: Open Trace', placeHolder: 'A scenario result or a stored trace', matchOnDescription: true });
    return pick?.traceId;
  }

  const editorProvider: vscodeTypes.CustomReadonlyEditorProvider = {
    openCustomDocument: (uri) => ({ uri, dispose: () => {} }),
    // Not awaited: the editor shows a custom editor's webview only once this returns, so waiting
    // for the trace to open hid the progress and the first rows of a file read for the first
    // time (seconds for a big one) behind an empty tab.
    resolveCustomEditor: (document, panel) => {
      attach(panel, { kind: 'file', uri: document.uri.toString() }).catch((error: unknown) => {
        // attach reports what goes wrong opening the trace; this is anything before that.
        const message = `coSTAR cannot show this trace: ${(error as Error).message ?? String(error)}`;
        deps.log(message);
        try {
          panel.webview.html = renderErrorHtml(message);
        } catch {
          // The tab was closed meanwhile.
        }
      });
    },
  };

  const serializer: vscodeTypes.WebviewPanelSerializer = {
    async deserializeWebviewPanel(panel, state) {
      const { SavedSource } = await runtime();
      const saved = SavedSource.safeParse(state);
      if (!saved.success) {
        panel.webview.html = renderErrorHtml('coSTAR could not restore this trace viewer: run "coSTAR: Open Trace" again.');
        return;
      }
      await attach(panel, saved.data.source);
    },
  };

  return [
    vscode.commands.registerCommand(OPEN_TRACE_COMMAND, (arg: unknown) => open(arg)),
    vscode.window.registerCustomEditorProvider(TRACE_EDITOR_VIEW_TYPE, editorProvider, {
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    }),
    vscode.window.registerWebviewPanelSerializer(TRACE_PANEL_VIEW_TYPE, serializer),
    { dispose: () => void sessions?.closeAll() },
    vscode.workspace.registerTextDocumentContentProvider(ARTIFACT_SCHEME, {
      provideTextDocumentContent: (uri) => artifacts.get(uri.toString()) ?? 'This artifact is no longer in memory: open it again from the trace viewer.',
    }),
  ];
}
