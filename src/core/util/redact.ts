/**
 * A base URL can carry credentials (`https://user:pass@host/v1`). They must never reach a
 * report, the terminal or a log, whichever error message quotes the URL.
 */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;

/** The text with the user-info part of every URL in it replaced by `***@`. */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, '$1***@');
}
