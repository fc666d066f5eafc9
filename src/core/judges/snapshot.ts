/**
 * What judges read from the workspace — judge files, module judges, JSON Schema files —
 * read and hashed once, before any agent starts. Judges then read these bytes, not the disk,
 * so an agent that writes into the workspace (through $COSTAR_WORKSPACE, `../`, an absolute
 * path or a symlink) cannot change how it is judged. Judge arguments and judge definitions
 * are already in memory (parsed when the run loaded the workspace).
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { ScenarioDef } from '../scenario/schema';
import { readUserFile, UserFileError } from '../util/userFile';
import type { JudgeFileDef } from './judgeFile';

/** Judge modules and schema files are small; a bigger one is refused rather than held in memory. */
const MAX_SNAPSHOT_FILE_BYTES = 16 * 1024 * 1024;

/** What the snapshot needs of the judge catalog (structural, so this module imports no judge runner). */
interface JudgeLookup {
  get(id: string): { file?: string; def?: JudgeFileDef; check?: { id: string } } | undefined;
}

export type SnapshotFile = { text: string; sha256: string } | { error: string };

export class JudgeSnapshot {
  private constructor(
    private readonly workspaceDir: string,
    private readonly files: ReadonlyMap<string, SnapshotFile>,
  ) {}

  /** Reads every file the expectations of `scenarios` will make their judges read. */
  static async take(workspaceDir: string, catalog: JudgeLookup, scenarios: readonly ScenarioDef[]): Promise<JudgeSnapshot> {
    const wanted = new Set<string>();
    for (const scenario of scenarios) {
      for (const expectation of scenario.expectations) {
        const entry = catalog.get(expectation.judge);
        if (!entry) continue;
        if (entry.file) wanted.add(entry.file);
        const def = entry.def;
        const args: Record<string, unknown> = { ...(def?.kind === 'module' ? { path: def.module } : {}), ...def?.with, ...expectation.with };
        const checkId = entry.check?.id;
        if (checkId === 'module' && typeof args.path === 'string') wanted.add(path.resolve(workspaceDir, args.path));
        if (checkId === 'json-schema' && typeof args.schemaFile === 'string') wanted.add(path.resolve(workspaceDir, args.schemaFile));
      }
    }
    const files = new Map<string, SnapshotFile>();
    await Promise.all([...wanted].map(async (file) => files.set(file, await readAndHash(file))));
    return new JudgeSnapshot(workspaceDir, files);
  }

  /** The bytes of `file` as they were when the run started; undefined when it was not snapshotted. */
  get(file: string): SnapshotFile | undefined {
    return this.files.get(path.resolve(file));
  }

  /** Workspace-relative path → sha256, for the trace (what judged this attempt, exactly). */
  digests(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [file, entry] of [...this.files].sort(([a], [b]) => a.localeCompare(b))) {
      out[path.relative(this.workspaceDir, file).split(path.sep).join('/')] = 'sha256' in entry ? entry.sha256 : `unreadable: ${entry.error}`;
    }
    return out;
  }
}

async function readAndHash(file: string): Promise<SnapshotFile> {
  try {
    // A FIFO, a device or a huge file is refused here rather than blocking or filling memory.
    const text = await readUserFile(file, MAX_SNAPSHOT_FILE_BYTES);
    return { text, sha256: createHash('sha256').update(text).digest('hex') };
  } catch (error) {
    return { error: error instanceof UserFileError ? error.message : (error as Error).message };
  }
}

/**
 * The text a judge should read for `file`: the snapshot's when the run took one (an agent ran),
 * else the disk's (re-scoring, monitoring: no agent ran since the judges were loaded).
 */
export async function readJudgeInput(snapshot: JudgeSnapshot | undefined, file: string): Promise<SnapshotFile> {
  return snapshot?.get(file) ?? readAndHash(file);
}
