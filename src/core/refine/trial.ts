/**
 * A trial of a proposal before anyone accepts it (`costar refine --verify`): a scratch copy
 * of the workspace under `.costar/trials/<refinement>/`, the proposal written into the copy
 * (confined to the agent's source folders, as an accepted change would be), then the usual
 * verification there — targeted scenarios, the suite, the held-out check. The user's files
 * are never touched. The copy sits inside the workspace so the agent resolves its modules
 * (node_modules, virtual environments above the workspace) exactly as it does for real;
 * node_modules and .venv folders inside the workspace are linked, not copied.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { RunReport } from '../run/protocol';
import { applyFileChange } from './apply';
import type { ChangeSet } from './changeSet';
import { SourceFolders } from './confinement';
import { verifyRefinement, type Verification, type VerifyOptions } from './verify';
import { COSTAR_DIR, trialDir } from '../layout';

/** Folders of the workspace that are never copied into a trial. */
const NOT_COPIED = new Set([COSTAR_DIR, '.git']);
/** Folders linked into the trial instead of copied (large, and not what the proposal changes). */
const LINKED = new Set(['node_modules', '.venv', 'venv']);

export interface TrialOptions extends Omit<VerifyOptions, 'workspaceDir' | 'before' | 'targeted'> {
  workspaceDir: string;
  refinementId: string;
  sourceFolders: readonly string[];
  changeSet: ChangeSet;
  before: RunReport;
  targeted: readonly string[];
  /** Keep the trial folder afterwards (default: removed). */
  keep?: boolean;
}

export interface TrialResult extends Verification {
  /** Where the trial ran (removed unless `keep`). */
  dir: string;
}

export async function trialRefinement(options: TrialOptions): Promise<TrialResult> {
  const dir = trialDir(options.workspaceDir, options.refinementId);
  await fs.rm(dir, { recursive: true, force: true });
  try {
    await copyWorkspace(options.workspaceDir, dir);
    const sources = await SourceFolders.open(dir, options.sourceFolders);
    for (const change of options.changeSet.files) await applyFileChange(sources, change, 'all');
    const verification = await verifyRefinement({ ...options, workspaceDir: dir });
    return { ...verification, dir };
  } finally {
    if (!options.keep) await fs.rm(dir, { recursive: true, force: true });
  }
}

async function copyWorkspace(from: string, to: string): Promise<void> {
  await fs.mkdir(to, { recursive: true });
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    if (NOT_COPIED.has(entry.name)) continue;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory() && LINKED.has(entry.name)) await fs.symlink(source, target, 'dir');
    else if (entry.isDirectory()) await copyWorkspace(source, target);
    else await fs.cp(source, target, { verbatimSymlinks: true });
  }
}
