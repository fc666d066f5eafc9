/**
 * The monitoring dashboard in VS Code: the `costar.openDashboard` command and its webview
 * panel. The data comes from dashboardData (files on disk, nothing is run or scored); this
 * file only moves messages: a clicked point opens its trace through `costar.openTrace`, and
 * "Promote to scenario" opens the draft as an untitled `*.scenario.yaml` for the user to edit
 * and save.
 */
import type * as vscodeTypes from 'vscode';
import type { VSCode } from '../vscodeApi';
import { HostMessage, WebviewMessage } from '../../shared/dashboardProtocol';
import { openPromotedDraft } from '../promoteDraft';
import { OPEN_TRACE_COMMAND } from '../traceViewer/index';
import { renderErrorHtml } from '../webviewHtml';
import { loadDashboardState } from './dashboardData';
import { renderDashboardHtml } from './html';
import type { FeatureDeps } from '../featureDeps';

export const OPEN_DASHBOARD_COMMAND = 'costar.openDashboard';
const DASHBOARD_VIEW_TYPE = 'costar.dashboard';

export type DashboardDeps = FeatureDeps;

export function registerDashboard(vscode: VSCode, context: vscodeTypes.ExtensionContext, deps: DashboardDeps): vscodeTypes.Disposable[] {
  const webviewRoot = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
  let current: vscodeTypes.WebviewPanel | undefined;

  async function open(): Promise<void> {
    const workspaceDir = deps.workspaceDir();
    if (!workspaceDir) {
      void vscode.window.showInformationMessage('coSTAR: open a workspace folder with a costar.yaml to see its dashboard.');
      return;
    }
    if (current) {
      current.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'coSTAR Dashboard', vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [webviewRoot],
    });
    current = panel;
    const post = (message: HostMessage) => void panel.webview.postMessage(HostMessage.parse(message));
    const subscription = panel.webview.onDidReceiveMessage(async (raw: unknown) => {
      const parsed = WebviewMessage.safeParse(raw);
      if (!parsed.success) {
        deps.log(`dashboard: ignored an invalid message: ${parsed.error.message}`);
        return;
      }
      const message = parsed.data;
      try {
        if (message.type === 'openTrace') await vscode.commands.executeCommand(OPEN_TRACE_COMMAND, message.traceId);
        else if (message.type === 'promote') await openPromotedDraft(vscode, workspaceDir, message.traceId);
        else if (message.type === 'refresh') post({ type: 'state', state: await loadDashboardState(workspaceDir) });
      } catch (error) {
        const text = `coSTAR dashboard: ${(error as Error).message}`;
        deps.log(text);
        post({ type: 'error', message: text });
      }
    });
    panel.onDidDispose(() => {
      subscription.dispose();
      if (current === panel) current = undefined;
    });
    try {
      const state = await loadDashboardState(workspaceDir);
      panel.webview.html = renderDashboardHtml({
        cspSource: panel.webview.cspSource,
        scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'dashboard.js')).toString(),
        styleUris: [panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'dashboard.css')).toString()],
        state,
      });
    } catch (error) {
      const text = `coSTAR cannot show the dashboard: ${(error as Error).message}`;
      deps.log(text);
      panel.webview.html = renderErrorHtml(text);
    }
  }

  return [vscode.commands.registerCommand(OPEN_DASHBOARD_COMMAND, open), { dispose: () => current?.dispose() }];
}
