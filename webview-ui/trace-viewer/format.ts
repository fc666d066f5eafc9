/** Human-readable figures for the viewer. */

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms === 0) return '0';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** A value a judge returned, as short text: strings as they are, the rest as JSON. */
export function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export interface TraceBadge {
  text: string;
  tone: 'ok' | 'warning' | 'failed' | 'error';
  title: string;
}

/**
 * The header's badge. "OK" only for a trace with no erroring span and no failing or erroring
 * verdict: the trace's own state says only whether the run's root span ended in error, and a
 * run whose tool calls failed, or that a judge failed, is not OK. Errors win over failures.
 */
export function traceBadge(state: string, erroringSpans: number, outcomes: readonly string[]): TraceBadge {
  const count = (outcome: string) => outcomes.filter((o) => o === outcome).length;
  const spans = erroringSpans > 0 ? `${erroringSpans} erroring span${erroringSpans === 1 ? '' : 's'}` : 'no erroring span';
  if (state === 'ERROR' || count('error') > 0) {
    return { text: 'ERROR', tone: 'error', title: `The run ${state === 'ERROR' ? 'ended in error' : 'has a judge that could not decide'}; ${spans}.` };
  }
  if (count('failed') > 0) return { text: 'FAILED', tone: 'failed', title: `${count('failed')} failing verdict(s); ${spans}.` };
  if (erroringSpans > 0) return { text: `${erroringSpans} ERROR${erroringSpans === 1 ? '' : 'S'}`, tone: 'warning', title: `The run finished, but ${spans} (see the red rows).` };
  return { text: 'OK', tone: 'ok', title: outcomes.length ? 'No erroring span; every verdict passed or was skipped.' : 'No erroring span; no verdicts.' };
}
