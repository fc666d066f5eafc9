/** Reads a stored run report (report.json) or a JSON-reporter file back as a RunReport. */
import { readFile } from 'node:fs/promises';
import type { RunReport } from '../run/protocol';

export class ReportFileError extends Error {}

export async function readReportFile(file: string): Promise<RunReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ReportFileError(`${file}: cannot read the report (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ReportFileError(`${file}: not JSON (${(error as Error).message}); expected a report written by --reporter json or .costar/runs/<run>/report.json`);
  }
  return checkReport(data, file);
}

/** Checks the fields merge and diff rely on, so a wrong file fails here with its name, not later. */
export function checkReport(data: unknown, file: string): RunReport {
  const problem = reportProblem(data);
  if (problem) throw new ReportFileError(`${file}: not a coSTAR run report: ${problem}`);
  return data as RunReport;
}

function reportProblem(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return 'expected a JSON object';
  const report = data as Partial<RunReport>;
  if (typeof report.runId !== 'string') return 'missing "runId"';
  if (!Array.isArray(report.scenarios)) return 'missing "scenarios" array';
  const bad = report.scenarios.findIndex((s) => typeof s?.id !== 'string' || typeof s?.status !== 'string' || !Array.isArray(s?.attempts));
  if (bad >= 0) return `scenario #${bad + 1} lacks id, status or attempts`;
  if (typeof report.summary !== 'object' || report.summary === null) return 'missing "summary"';
  return undefined;
}
