/**
 * Run reports under `.costar/runs/<runId>/report.json`. Run ids sort by time, so the
 * newest run is the greatest id; a re-score is a run of its own (nothing is overwritten).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite';
import type { RunReport } from './protocol';
import { listDir } from '../util/files';

export function runsDir(workspaceDir: string): string {
  return path.join(workspaceDir, '.costar', 'runs');
}

export function reportPath(workspaceDir: string, runId: string): string {
  return path.join(runsDir(workspaceDir), runId, 'report.json');
}

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

export async function loadReport(workspaceDir: string, runId: string): Promise<RunReport> {
  const file = reportPath(workspaceDir, runId);
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as RunReport;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `no run "${runId}" in ${runsDir(workspaceDir)}` : `cannot read ${file}: ${(error as Error).message}`);
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

/** The newest run, optionally only among agent runs (mode 'run'). */
export async function latestRun(workspaceDir: string, mode?: RunReport['mode']): Promise<RunReport | undefined> {
  const ids = await listRunIds(workspaceDir);
  for (const id of ids.reverse()) {
    const report = await loadReport(workspaceDir, id);
    if (!mode || report.mode === mode) return report;
  }
  return undefined;
}

/** Resolves "latest" (or undefined) to the newest agent run. */
export async function resolveRun(workspaceDir: string, runId: string | undefined): Promise<RunReport> {
  if (runId && runId !== 'latest') return loadReport(workspaceDir, runId);
  const report = await latestRun(workspaceDir, 'run');
  if (!report) throw new Error(`no stored run in ${runsDir(workspaceDir)}: run the scenarios first (costar run)`);
  return report;
}
