/**
 * JSON that cannot end a script element early nor be read as markup: `<`, `>` and `&` become
 * unicode escapes (still the same JSON), and so do the two line separators JavaScript once
 * treated as newlines. In core because the trace outline stores its columns in this form, ready
 * to be spliced into a webview page as they are.
 */
export function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
