/** Reads a stored run report (report.json) or a JSON-reporter file back as a RunReport. */
import { readFile } from 'node:fs/promises';
import type { RunReport } from '../run/protocol';
import { checkRunReport } from '../run/messages';

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

/** Checks the report against its schema, so a wrong file fails here with its name, not later. */
export function checkReport(data: unknown, file: string): RunReport {
  const checked = checkRunReport(data);
  if (!checked.ok) throw new ReportFileError(`${file}: not a coSTAR run report: ${checked.problem}`);
  return checked.value;
}
