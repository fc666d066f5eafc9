/**
 * Run reports under `.costar/runs/<runId>/report.json`. Run ids sort by time, so the
 * newest run is the greatest id; a re-score is a run of its own (nothing is overwritten).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../util/atomicWrite';
import type { AttemptResult, RunReport, ScenarioResult } from './protocol';
import { listDir, type SkippedFile } from '../util/files';
import { readUserFile, UserFileError } from '../util/userFile';
import { checkReport } from '../report/readReport';

/** Reports of 10,000-scenario runs stay far below this. */
const REPORT_MAX_BYTES = 256 * 1024 * 1024;
import { reportPath, runsDir } from '../layout';

export { reportPath, runsDir };

/** A sortable, unique run id: UTC time to the millisecond plus random bits. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '').replace('Z', '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export async function saveReport(workspaceDir: string, report: RunReport): Promise<string> {
  const file = reportPath(workspaceDir, report.runId);
  await writeFileAtomic(file, JSON.stringify(report, null, 2));
  return file;
}

/** A stored report; an error that names the file when it is missing, unreadable or not a report. */
export async function loadReport(workspaceDir: string, runId: string): Promise<RunReport> {
  const file = reportPath(workspaceDir, runId);
  let text: string;
  try {
    text = await readUserFile(file, REPORT_MAX_BYTES);
  } catch (error) {
    if (error instanceof UserFileError && error.code === 'ENOENT') throw new Error(`no run "${runId}" in ${runsDir(workspaceDir)}`);
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`cannot read ${file}: not JSON (${(error as Error).message}); the run was probably killed while writing it, or the file was edited`);
  }
  try {
    return checkReport(data, file);
  } catch (error) {
    throw new Error(`cannot read ${(error as Error).message}`);
  }
}

/**
 * The reports of these runs, in the same order; a damaged one is left out and added to
 * `skipped` — one bad report must not block a dashboard, a queue or a diff.
 */
export async function loadReports(workspaceDir: string, runIds: readonly string[], skipped: SkippedFile[]): Promise<RunReport[]> {
  const reports: RunReport[] = [];
  for (const id of runIds) {
    const report = await loadReportOrSkip(workspaceDir, id, skipped);
    if (report) reports.push(report);
  }
  return reports;
}

export async function loadReportOrSkip(workspaceDir: string, runId: string, skipped: SkippedFile[]): Promise<RunReport | undefined> {
  try {
    return await loadReport(workspaceDir, runId);
  } catch (error) {
    const file = reportPath(workspaceDir, runId);
    skipped.push({ file, reason: (error as Error).message.replace(`cannot read ${file}: `, '').replace(`${file}: `, '') });
    return undefined;
  }
}

/** Run ids that have a report, oldest first. */
export async function listRunIds(workspaceDir: string): Promise<string[]> {
  const ids: string[] = [];
  for (const id of await listDir(runsDir(workspaceDir))) {
    try {
      await fs.access(reportPath(workspaceDir, id));
      ids.push(id);
    } catch {
      // A run still in progress (or killed) has no report yet.
    }
  }
  return ids;
}

/** The newest run, optionally only among agent runs (mode 'run'); damaged reports are skipped (see loadReports). */
export async function latestRun(workspaceDir: string, mode?: RunReport['mode'], skipped: SkippedFile[] = []): Promise<RunReport | undefined> {
  const ids = await listRunIds(workspaceDir);
  for (const id of ids.reverse()) {
    const report = await loadReportOrSkip(workspaceDir, id, skipped);
    if (report && (!mode || report.mode === mode)) return report;
  }
  return undefined;
}

/** Resolves "latest" (or undefined) to the newest readable agent run; a run named by id must be readable. */
export async function resolveRun(workspaceDir: string, runId: string | undefined, skipped: SkippedFile[] = []): Promise<RunReport> {
  if (runId && runId !== 'latest') return loadReport(workspaceDir, runId);
  const report = await latestRun(workspaceDir, 'run', skipped);
  if (!report) throw new Error(`no stored run in ${runsDir(workspaceDir)}: run the scenarios first (costar run)`);
  return report;
}

/** The newest run (runs and re-scores alike: a re-score's verdicts supersede the run's) with an attempt that recorded this trace. */
export async function newestAttemptOfTrace(workspaceDir: string, traceId: string): Promise<{ report: RunReport; scenario: ScenarioResult; attempt: AttemptResult } | undefined> {
  for (const runId of (await listRunIds(workspaceDir)).reverse()) {
    // A damaged report says nothing about this trace; the older ones may.
    const report = await loadReportOrSkip(workspaceDir, runId, []);
    if (!report) continue;
    for (const scenario of report.scenarios) {
      const attempt = scenario.attempts.find((a) => a.traceId === traceId);
      if (attempt) return { report, scenario, attempt };
    }
  }
  return undefined;
}
