/**
 * The dashboard's HTML document, built like the trace viewer's: strict CSP (only our bundle,
 * carrying the nonce, runs; only our stylesheet loads), and the initial state embedded as JSON
 * in a non-executable script element.
 */
import { randomBytes } from 'node:crypto';
import { DASHBOARD_STATE_ELEMENT_ID, type DashboardState } from '../../shared/dashboardProtocol';
import { jsonForScriptElement } from '../traceViewer/html';

export interface DashboardHtmlOptions {
  /** `webview.cspSource`: the origin webview resources are served from. */
  cspSource: string;
  scriptUri: string;
  styleUris: readonly string[];
  state: DashboardState;
  /** Fresh per page by default; tests may fix it. */
  nonce?: string;
}

export function renderDashboardHtml(options: DashboardHtmlOptions): string {
  const nonce = options.nonce ?? randomBytes(18).toString('base64');
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${options.cspSource}`,
    `font-src ${options.cspSource}`,
  ].join('; ');
  const links = options.styleUris.map((href) => `<link rel="stylesheet" href="${escapeAttribute(href)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${links}
    <title>coSTAR dashboard</title>
  </head>
  <body>
    <div id="app" class="app"></div>
    <script type="application/json" id="${DASHBOARD_STATE_ELEMENT_ID}">${jsonForScriptElement(options.state)}</script>
    <script nonce="${nonce}" src="${escapeAttribute(options.scriptUri)}"></script>
  </body>
</html>`;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
