/**
 * The labeling panel's HTML: the same strict CSP as the trace viewer (only our nonce'd bundle
 * runs, styles only from the webview origin) and the initial state embedded as inert JSON.
 */
import { randomBytes } from 'node:crypto';
import { LABELING_STATE_ELEMENT_ID, type LabelingState } from '../../shared/labelingProtocol';
import { jsonForScriptElement } from '../traceViewer/html';

export interface LabelingHtmlOptions {
  cspSource: string;
  scriptUri: string;
  styleUris: readonly string[];
  state: LabelingState;
  nonce?: string;
}

export function renderLabelingHtml(options: LabelingHtmlOptions): string {
  const nonce = options.nonce ?? randomBytes(18).toString('base64');
  const csp = ["default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src ${options.cspSource}`, `font-src ${options.cspSource}`].join('; ');
  const links = options.styleUris.map((href) => `<link rel="stylesheet" href="${escapeAttribute(href)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${links}
    <title>coSTAR: Label Traces</title>
  </head>
  <body>
    <div id="app" class="app"></div>
    <script type="application/json" id="${LABELING_STATE_ELEMENT_ID}">${jsonForScriptElement(options.state)}</script>
    <script nonce="${nonce}" src="${escapeAttribute(options.scriptUri)}"></script>
  </body>
</html>`;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
