/**
 * The trace viewer's HTML document. Strict CSP: nothing loads except our own bundle and
 * stylesheets from the webview's resource origin, and only the script carrying the nonce runs.
 * The initial state rides inside the page as JSON in a non-executable script element.
 */
import { randomBytes } from 'node:crypto';
import { INITIAL_STATE_ELEMENT_ID, type InitialState } from '../../shared/traceViewerProtocol';

export interface ViewerHtmlOptions {
  /** `webview.cspSource`: the origin webview resources are served from. */
  cspSource: string;
  scriptUri: string;
  styleUris: readonly string[];
  initialState: InitialState;
  /** Fresh per page by default; tests may fix it. */
  nonce?: string;
}

export function renderViewerHtml(options: ViewerHtmlOptions): string {
  const nonce = options.nonce ?? randomBytes(18).toString('base64');
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${options.cspSource}`,
    `font-src ${options.cspSource}`,
    `img-src ${options.cspSource}`,
  ].join('; ');
  const links = options.styleUris.map((href) => `<link rel="stylesheet" href="${escapeAttribute(href)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${links}
    <title>${escapeText(options.initialState.title)}</title>
  </head>
  <body>
    <div id="app" class="app"></div>
    <script type="application/json" id="${INITIAL_STATE_ELEMENT_ID}">${jsonForScriptElement(options.initialState)}</script>
    <script nonce="${nonce}" src="${escapeAttribute(options.scriptUri)}"></script>
  </body>
</html>`;
}

/**
 * JSON that cannot end its script element early nor be read as markup: `<`, `>` and `&` become
 * unicode escapes (still the same JSON), and so do the two line separators JavaScript once
 * treated as newlines.
 */
export function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A page without scripts for when the trace cannot be shown: the reason and what to do. */
export function renderErrorHtml(message: string): string {
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="default-src 'none'">
  </head>
  <body>
    <p>${escapeText(message)}</p>
  </body>
</html>`;
}
