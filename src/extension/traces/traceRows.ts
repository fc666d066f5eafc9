/**
 * The rows of the Traces view: the newest stored traces with their scenario, outcome, prompt
 * and output previews, duration and tokens. The outcome and tokens come from the run reports
 * (a trace alone knows only whether its root span errored); an imported trace shows its state.
 * Reads trace headers and reports only, never whole traces. No `vscode` here.
 */
import type { Outcome } from '../../core/judges/types';
import type { RunReport } from '../../core/run/protocol';
import { META, type TraceInfo } from '../../core/trace/model';

export type TraceStatus = Outcome | 'ok' | 'trace-error' | 'in-progress';

export interface TraceRow {
  traceId: string;
  /** Scenario id, else "trace 1a2b3c4d". */
  label: string;
  scenarioId?: string;
  runId?: string;
  status: TraceStatus;
  prompt: string;
  output: string;
  durationMs: number;
  tokens?: number;
  time: number;
}

export interface TraceFilter {
  /** Only these statuses (empty or absent: all). */
  statuses?: readonly TraceStatus[];
  /** Case-insensitive part of the scenario id (or trace id). */
  scenario?: string;
}

/** Newest traces shown. */
export const MAX_ROWS = 200;
const PREVIEW_CHARS = 120;

export function traceRows(infos: readonly TraceInfo[], reports: readonly RunReport[], filter: TraceFilter = {}): TraceRow[] {
  const fromReports = new Map<string, { status: Outcome; tokens?: number }>();
  // Oldest report first, so a re-score's outcome (newer) wins for the same trace.
  for (const report of [...reports].sort((a, b) => a.startedAt - b.startedAt)) {
    for (const scenario of report.scenarios) {
      for (const attempt of scenario.attempts) {
        if (!attempt.traceId) continue;
        const tokens = attempt.metrics?.totalTokens;
        fromReports.set(attempt.traceId, { status: attempt.status, ...(tokens !== undefined ? { tokens } : {}) });
      }
    }
  }
  const wanted = new Set(filter.statuses ?? []);
  const part = filter.scenario?.trim().toLowerCase();
  return [...infos]
    .sort((a, b) => b.requestTime - a.requestTime)
    .map((info) => {
      const scenarioId = info.metadata[META.scenarioId];
      const runId = info.metadata[META.runId];
      const known = fromReports.get(info.traceId);
      const row: TraceRow = {
        traceId: info.traceId,
        label: scenarioId ?? `trace ${info.traceId.slice(0, 8)}`,
        status: known?.status ?? stateStatus(info.state),
        prompt: preview(info.requestPreview),
        output: preview(info.responsePreview),
        durationMs: info.executionDurationMs,
        time: info.requestTime,
      };
      if (scenarioId) row.scenarioId = scenarioId;
      if (runId) row.runId = runId;
      if (known?.tokens !== undefined) row.tokens = known.tokens;
      return row;
    })
    .filter((row) => (wanted.size === 0 || wanted.has(row.status)) && (!part || row.label.toLowerCase().includes(part) || row.traceId.startsWith(part)))
    .slice(0, MAX_ROWS);
}

function stateStatus(state: TraceInfo['state']): TraceStatus {
  return state === 'ERROR' ? 'trace-error' : state === 'IN_PROGRESS' ? 'in-progress' : 'ok';
}

/** One line, shortened: previews are for recognising a trace, the viewer shows it all. */
export function preview(text: string | undefined): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat;
}
