/**
 * The one regex engine for patterns written by users and models (the `regex` check, the
 * agentic judge's `search_trace_regex`, Refine's `search`, the trace viewer's search).
 *
 * JavaScript's RegExp backtracks: `^(a+)+$` on 30 characters runs for tens of seconds on the
 * thread that called it, and nothing can interrupt it. RE2 (here re2js, a pure-JS port: no
 * native addon or WASM file to ship in the esbuild bundles and the .vsix) matches in time
 * linear in the text, so a pattern can be slow only in proportion to the text it reads — and
 * that is capped by ScanBudget. The price is RE2's syntax: no backreferences, no lookahead;
 * such a pattern is refused with a message saying so, never run on another engine.
 */
import type { RE2JS } from 're2js';

// Loaded on first use: the harness, the CLI and the extension import the checks at start-up,
// and most runs compile no regex at all.
let engine: typeof RE2JS | undefined;
function re2(): typeof RE2JS {
  return (engine ??= (require('re2js') as typeof import('re2js')).RE2JS);
}

/** Characters one search may read (≈ 1–3 s of the slowest patterns on one core). */
export const REGEX_SCAN_LIMIT = 4 * 1024 * 1024;

export interface RegexMatch {
  /** UTF-16 offset, as String.prototype.indexOf counts. */
  index: number;
  text: string;
}

export type CompiledRegex = { ok: true; regex: SafeRegex } | { ok: false; reason: string };

const FLAG_NAMES = { i: 'CASE_INSENSITIVE', m: 'MULTILINE', s: 'DOTALL' } as const;
/** Accepted and meaningless here: RE2 is always Unicode-aware; callers decide whether to find one match or all. */
const IGNORED_FLAGS = new Set(['u', 'g', 'd']);

/** Compiles a JavaScript-style pattern and flags (i, m, s; u, g, d accepted) for RE2, or says why it cannot. */
export function compileRegex(pattern: string, flags = ''): CompiledRegex {
  const RE2 = re2();
  let bits = RE2.LOOKBEHINDS;
  for (const flag of flags) {
    if (flag in FLAG_NAMES) bits |= RE2[FLAG_NAMES[flag as keyof typeof FLAG_NAMES]];
    else if (!IGNORED_FLAGS.has(flag)) return { ok: false, reason: `the regex flag "${flag}" is not supported (supported: i, m, s; u, g and d are accepted and change nothing)` };
  }
  try {
    return { ok: true, regex: new SafeRegex(pattern, flags, RE2.compile(translateEscapes(pattern), bits)) };
  } catch (error) {
    return { ok: false, reason: describeSyntaxError(pattern, (error as Error).message) };
  }
}

export class SafeRegex {
  constructor(
    readonly source: string,
    readonly flags: string,
    private readonly re: RE2JS,
  ) {}

  /** The first match in text, or null. */
  exec(text: string): RegexMatch | null {
    // re2js returns a RegExpExecArray-shaped array, typed loosely.
    const m = this.re.exec(text) as RegExpExecArray | null;
    return m ? { index: m.index, text: m[0] } : null;
  }

  test(text: string): boolean {
    return this.re.test(text);
  }

  /** Every non-overlapping match, left to right (an empty match advances by one character). */
  *matchAll(text: string): Generator<RegexMatch> {
    for (const m of this.re.matchAll(text)) yield { index: m.index ?? 0, text: m[0] };
  }

  toString(): string {
    return `/${this.source}/${this.flags}`;
  }
}

/**
 * How much text the searches of one request may still read. Each text is cut to what is left;
 * `cut` tells the caller to say so (and not to conclude "no match" from a partial read).
 */
export class ScanBudget {
  cut = false;
  /** Characters that were not read because the budget ran out. */
  skippedChars = 0;

  constructor(private remaining = REGEX_SCAN_LIMIT) {}

  take(text: string): string {
    if (text.length <= this.remaining) {
      this.remaining -= text.length;
      return text;
    }
    const kept = text.slice(0, this.remaining);
    this.skippedChars += text.length - kept.length;
    this.remaining = 0;
    this.cut = true;
    return kept;
  }

  /** One sentence for a verdict or a tool result. */
  describe(): string {
    return `the search stopped after ${REGEX_SCAN_LIMIT.toLocaleString('en')} characters (${this.skippedChars.toLocaleString('en')} characters were not searched)`;
  }
}

/**
 * JavaScript escapes RE2 spells differently: `\uXXXX` and `\u{X…}` become `\x{…}`. Everything
 * else is passed through unchanged (an escaped backslash is skipped as a pair).
 */
function translateEscapes(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch !== '\\' || i + 1 >= pattern.length) {
      out += ch;
      continue;
    }
    const next = pattern[i + 1]!;
    const braced = next === 'u' ? /^\{([0-9A-Fa-f]{1,6})\}/.exec(pattern.slice(i + 2)) : null;
    const plain = next === 'u' && !braced ? /^[0-9A-Fa-f]{4}/.exec(pattern.slice(i + 2)) : null;
    if (braced) {
      out += `\\x{${braced[1]}}`;
      i += 1 + braced[0].length;
    } else if (plain) {
      out += `\\x{${plain[0]}}`;
      i += 1 + plain[0].length;
    } else {
      out += ch + next;
      i++;
    }
  }
  return out;
}

function describeSyntaxError(pattern: string, message: string): string {
  const detail = message.replace(/^error parsing regexp: /, '');
  const unsupported =
    /\\[1-9]|\\k</.test(pattern) && /invalid escape sequence: `\\(?:[1-9]|k)/.test(message)
      ? 'backreferences (\\1, \\k<name>) are not supported by the linear-time regex engine (RE2)'
      : /`\(\?[=!]/.test(message)
        ? 'lookahead ((?=…), (?!…)) is not supported by the linear-time regex engine (RE2)'
        : undefined;
  if (unsupported) return `the pattern was refused: ${unsupported}; rewrite it without them (see "Regular expressions" in docs/judges.md)`;
  return `the pattern is not a valid RE2 regular expression: ${detail} (coSTAR uses RE2 syntax, see "Regular expressions" in docs/judges.md)`;
}
