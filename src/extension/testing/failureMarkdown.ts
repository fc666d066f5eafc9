/**
 * The Markdown of a judge's verdict as shown in a TestMessage. Pure (no 'vscode') so its
 * escaping is unit-tested: rationales and values come from models and agents and are
 * untrusted text, so they are escaped and can never form links or HTML.
 */
import type { Verdict } from '../../core/judges/types';

/** Command the "Open trace" link runs (registered by the trace viewer): trace file plus the spans to reveal. */
export const OPEN_TRACE_COMMAND = 'costar.openTrace';

export function verdictMarkdown(verdict: Verdict, traceFile: string | undefined): string {
  const lines = [`**${escapeMarkdown(verdict.name)}** ${verdict.outcome === 'error' ? 'could not finish' : verdict.outcome}`, ''];
  if (verdict.value !== undefined && verdict.value !== null && verdict.outcome !== 'error') {
    lines.push(`Value: \`${inlineCode(JSON.stringify(verdict.value))}\``, '');
  }
  if (verdict.rationale) lines.push(escapeMarkdown(verdict.rationale), '');
  if (verdict.error) lines.push(`Error: ${escapeMarkdown(verdict.error)}`, '');
  if (verdict.spanIds.length > 0) {
    lines.push(`Cited spans: ${verdict.spanIds.map((id) => `\`${inlineCode(id)}\``).join(', ')}`, '');
  }
  if (traceFile) lines.push(`[Open trace](${commandUri(OPEN_TRACE_COMMAND, [{ traceFile, spanIds: verdict.spanIds }])})`);
  return lines.join('\n').trimEnd();
}

/** A `command:` link; VS Code decodes the arguments as a JSON array. */
export function commandUri(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

/**
 * Escapes exactly what could form markup, where it could form it. The Test Results tree shows
 * a message's first line as Markdown source with the emphasis stripped, so a backslash before
 * every '-' or '.' ("file\-exists failed") would show there; intraword '_', a '.' or '-'
 * inside a line can't start markup and stay as they are.
 */
export function escapeMarkdown(text: string): string {
  return text
    // Inline markup anywhere: code, emphasis, links and images, HTML, strikethrough, tables.
    .replace(/[\\`*[\]<>~|]/g, (c) => `\\${c}`)
    .replace(/_/g, (c, offset: number, all: string) => (/[A-Za-z0-9]/.test(all[offset - 1] ?? '') && /[A-Za-z0-9]/.test(all[offset + 1] ?? '') ? c : `\\${c}`))
    // Entities only when they would decode.
    .replace(/&(?=#?\w+;)/g, '\\&')
    // Block markup only at a line start: headings, quotes, lists, setext underlines.
    .replace(/^(\s*)([#>+\-=])/gm, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/gm, '$1\\$2')
    // GFM autolinks: a bare URL or www. host would become a link.
    .replace(/:\/\//g, ':\\/\\/')
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\\.`);
}

/** Backticks would end the code span early; replace them with a look-alike. */
function inlineCode(text: string): string {
  return text.replace(/`/g, 'ˋ').replace(/\r?\n/g, ' ');
}
