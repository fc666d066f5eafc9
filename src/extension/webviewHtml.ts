/**
 * The HTML document every coSTAR webview uses. Strict CSP: nothing loads except our own bundle
 * and stylesheets from the webview's resource origin, and only the script carrying the nonce
 * runs. The initial state rides inside the page as JSON in a non-executable script element,
 * so the first paint needs no round trip to the extension host.
 */
import { randomBytes } from 'node:crypto';
import { jsonForScriptElement } from '../core/util/scriptJson';

export { jsonForScriptElement };

export interface WebviewHtmlOptions {
  /** `webview.cspSource`: the origin webview resources are served from. */
  cspSource: string;
  scriptUri: string;
  styleUris: readonly string[];
  title: string;
  /** Id of the JSON script element the page's script reads its state from. */
  stateElementId: string;
  state: unknown;
  /** Fresh per page by default; tests may fix it. */
  nonce?: string;
}

export function renderWebviewHtml(options: WebviewHtmlOptions): string {
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
    <title>${escapeText(options.title)}</title>
  </head>
  <body>
    <div id="app" class="app"></div>
    <script type="application/json" id="${escapeAttribute(options.stateElementId)}">${jsonForScriptElement(options.state)}</script>
    <script nonce="${nonce}" src="${escapeAttribute(options.scriptUri)}"></script>
  </body>
</html>`;
}

/**
 * A page without scripts shown while a view's data loads (e.g. "Opening the trace…" until the
 * trace viewer's own page can say more): what is happening, with a busy bar.
 */
export function renderProgressHtml(message: string): string {
  return staticPage(`<p role="status" data-costar-loading="">${escapeText(message)}</p>
    <progress></progress>`);
}

/** A page without scripts for when a view cannot be shown: the reason and what to do. */
export function renderErrorHtml(message: string): string {
  return staticPage(`<p>${escapeText(message)}</p>`);
}

/** A page that loads and runs nothing: `body` is markup we wrote, its text already escaped. */
function staticPage(body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="default-src 'none'">
  </head>
  <body>
    ${body}
  </body>
</html>`;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
