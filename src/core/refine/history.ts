/**
 * The refinement history: one JSON file per refinement under `.costar/refinements/<id>.json`,
 * rewritten atomically as the refinement moves on (proposed → decided → verified), so a
 * reviewer can see what the assistant was told (context hash), what it proposed, what the
 * developer accepted, and the results before and after.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { newRunId } from '../run/runStore';
import { writeFileAtomic } from '../util/atomicWrite';
import type { FileChange } from './changeSet';
import type { AppliedFile } from './apply';
import type { RefineStopReason } from './loop';
import type { VerificationSummary } from './verify';
import { listDir } from '../util/files';
import { refinementsDir } from '../layout';

export interface RefinementRecord {
  id: string;
  createdAt: number;
  agent: string;
  scenarioIds: string[];
  /** The run whose failures were refined ("before"). */
  fromRunId: string;
  contextHash: string;
  model: string;
  /** 1 for a first refinement; n for the n-th round of refining the same failures (absent: 1). */
  round?: number;
  /** The refinement whose rejected hunks and re-run this one was told about. */
  previousRefinementId?: string;
  /** What the assistant was told about the previous round (also part of contextHash). */
  feedback?: string;
  usage: { inputTokens: number; outputTokens: number; steps: number };
  stopReason: RefineStopReason;
  summary: string;
  proposal: FileChange[];
  /** Per file, the accepted and rejected hunks; absent until the developer decided. */
  decisions?: AppliedFile[];
  decidedAt?: number;
  /** Results after the accepted edits; absent until re-run. */
  verification?: VerificationSummary;
}

export { refinementsDir };

export function newRefinementId(now = new Date()): string {
  return newRunId(now);
}

export async function saveRefinement(workspaceDir: string, record: RefinementRecord): Promise<string> {
  if (!/^[\w-]+$/.test(record.id)) throw new Error(`not a refinement id: ${JSON.stringify(record.id)}`);
  const file = path.join(refinementsDir(workspaceDir), `${record.id}.json`);
  await writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}

export async function loadRefinement(workspaceDir: string, id: string): Promise<RefinementRecord> {
  if (!/^[\w-]+$/.test(id)) throw new Error(`not a refinement id: ${JSON.stringify(id)}`);
  const file = path.join(refinementsDir(workspaceDir), `${id}.json`);
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as RefinementRecord;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `no refinement "${id}" in ${refinementsDir(workspaceDir)}` : `cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Refinement ids, oldest first (ids sort by time). */
export async function listRefinementIds(workspaceDir: string): Promise<string[]> {
  const names = await listDir(refinementsDir(workspaceDir));
  return names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5));
}
