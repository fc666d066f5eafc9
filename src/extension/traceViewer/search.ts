/**
 * Text and regex search over span names, inputs, outputs, attributes, status messages and
 * events, run in the extension host so the webview never needs the payloads. The searchable
 * text of a span is built on the first search and kept, so later searches over a 50,000-span
 * trace are a plain scan.
 */
import type { Span } from '../../core/trace/model';
import { compileRegex } from '../../core/util/safeRegex';

export const MAX_SEARCH_RESULTS = 10_000;

export interface SearchQuery {
  query: string;
  regex: boolean;
  caseSensitive: boolean;
}

export interface SearchOutcome {
  rows: number[];
  truncated: boolean;
  /** Set when the query cannot run (an invalid regular expression): say what to fix. */
  error?: string;
}

export class SpanSearch {
  private texts: string[] | undefined;
  private lowerTexts: string[] | undefined;

  constructor(private readonly spans: readonly Span[]) {}

  run(q: SearchQuery): SearchOutcome {
    if (q.query === '') return { rows: [], truncated: false };
    let test: (text: string, lower: () => string) => boolean;
    if (q.regex) {
      // The user's own pattern, but a catastrophic one must not freeze the extension host.
      const compiled = compileRegex(q.query, q.caseSensitive ? '' : 'i');
      if (!compiled.ok) return { rows: [], truncated: false, error: `Invalid regular expression: ${compiled.reason}` };
      test = (text) => compiled.regex.test(text);
    } else if (q.caseSensitive) {
      test = (text) => text.includes(q.query);
    } else {
      const needle = q.query.toLowerCase();
      test = (_text, lower) => lower().includes(needle);
    }
    const texts = this.searchTexts();
    const rows: number[] = [];
    for (let row = 0; row < texts.length; row++) {
      if (test(texts[row]!, () => this.lowerText(row))) {
        if (rows.length === MAX_SEARCH_RESULTS) return { rows, truncated: true };
        rows.push(row);
      }
    }
    return { rows, truncated: false };
  }

  private searchTexts(): string[] {
    this.texts ??= this.spans.map(searchableText);
    return this.texts;
  }

  private lowerText(row: number): string {
    this.lowerTexts ??= this.searchTexts().map((t) => t.toLowerCase());
    return this.lowerTexts[row]!;
  }
}

/** Name, tool name, status message, inputs, outputs, attributes, then events, one per line. */
function searchableText(span: Span): string {
  const parts = [span.name];
  if (span.toolName) parts.push(span.toolName);
  if (span.status.message) parts.push(span.status.message);
  if (span.inputs !== undefined) parts.push(asText(span.inputs));
  if (span.outputs !== undefined) parts.push(asText(span.outputs));
  for (const [key, value] of Object.entries(span.attributes)) parts.push(`${key}: ${asText(value)}`);
  for (const event of span.events) parts.push(event.name, asText(event.attributes));
  return parts.join('\n');
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}
