/**
 * The labeling panel in VS Code: the `costar.labelTraces` command opens one panel per
 * workspace; all logic is in LabelingController, this file only moves messages.
 */
import * as os from 'node:os';
import type * as vscodeTypes from 'vscode';
import { HostMessage } from '../../shared/labelingProtocol';
import { registerAlignJudge } from '../align/index';
import { LabelingController } from './controller';
import { renderLabelingHtml } from './html';
import type { FeatureDeps } from '../featureDeps';

type VSCode = typeof import('vscode');

export const LABEL_TRACES_COMMAND = 'costar.labelTraces';
const PANEL_VIEW_TYPE = 'costar.labeling';
/** A run stores its traces one after another: announce them once. */
const NEW_TRACES_BATCH_MS = 500;

export type LabelingDeps = FeatureDeps;

export function registerLabeling(vscode: VSCode, context: vscodeTypes.ExtensionContext, deps: LabelingDeps): vscodeTypes.Disposable[] {
  const webviewRoot = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
  let open: vscodeTypes.WebviewPanel | undefined;

  async function openPanel(judgeId?: unknown): Promise<void> {
    const workspaceDir = deps.workspaceDir();
    if (!workspaceDir) {
      void vscode.window.showWarningMessage('coSTAR: open a folder with a costar.yaml to label traces.');
      return;
    }
    if (open) {
      open.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'coSTAR: Label Traces', vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [webviewRoot], retainContextWhenHidden: true });
    open = panel;
    const labeller = vscode.workspace.getConfiguration('costar').get<string>('labeller') || os.userInfo().username || 'anonymous';
    // Queue order comes from stored reports here: the panel asks no model. Sampling the judge
    // (LabelingOptions.samples, `costar label --samples`) would take workspaceModelClient, the seam Align uses.
    const controller = new LabelingController({ workspaceDir, labeller });
    const post = (message: HostMessage) => void panel.webview.postMessage(HostMessage.parse(message));
    const subscription = panel.webview.onDidReceiveMessage((raw) =>
      controller.handle(raw, {
        post,
        openTrace: (traceId) => void vscode.commands.executeCommand('costar.openTrace', traceId),
        log: deps.log,
      }),
    );
    // New traces (a run finished, an import) are offered, not forced: a rebuilt queue would
    // move the person away from the trace they are reading.
    const traces = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(workspaceDir), '.costar/traces/*.trace.json'));
    let announce: ReturnType<typeof setTimeout> | undefined;
    const onNewTrace = () => {
      clearTimeout(announce);
      announce = setTimeout(() => post({ type: 'newTraces' }), NEW_TRACES_BATCH_MS);
    };
    const created = traces.onDidCreate(onNewTrace);
    panel.onDidDispose(() => {
      clearTimeout(announce);
      created.dispose();
      traces.dispose();
      subscription.dispose();
      if (open === panel) open = undefined;
    });
    try {
      const state = await controller.state(typeof judgeId === 'string' ? judgeId : undefined);
      panel.webview.html = renderLabelingHtml({
        cspSource: panel.webview.cspSource,
        scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'labeling.js')).toString(),
        styleUris: [panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'labeling.css')).toString()],
        state,
      });
    } catch (error) {
      const message = `coSTAR cannot open the labeling panel: ${(error as Error).message}`;
      deps.log(message);
      void vscode.window.showErrorMessage(message);
      panel.dispose();
    }
  }

  // Aligning a judge is the labels' purpose, so the golden-set commands register together.
  return [vscode.commands.registerCommand(LABEL_TRACES_COMMAND, openPanel), ...registerAlignJudge(vscode, context, deps)];
}
