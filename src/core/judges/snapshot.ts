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
    private readonly byScenario: ReadonlyMap<string, { files: string[]; expectations: string }>,
  ) {}

  /** Reads every file the expectations of `scenarios` will make their judges read. */
  static async take(workspaceDir: string, catalog: JudgeLookup, scenarios: readonly ScenarioDef[]): Promise<JudgeSnapshot> {
    const wanted = new Set<string>();
    const byScenario = new Map<string, { files: string[]; expectations: string }>();
    for (const scenario of scenarios) {
      const mine = new Set<string>();
      const add = (file: string) => (wanted.add(file), mine.add(file));
      for (const expectation of scenario.expectations) {
        const entry = catalog.get(expectation.judge);
        if (!entry) continue;
        if (entry.file) add(entry.file);
        const def = entry.def;
        const args: Record<string, unknown> = { ...(def?.kind === 'module' ? { path: def.module } : {}), ...def?.with, ...expectation.with };
        const checkId = entry.check?.id;
        if (checkId === 'module' && typeof args.path === 'string') add(path.resolve(workspaceDir, args.path));
        if (checkId === 'json-schema' && typeof args.schemaFile === 'string') add(path.resolve(workspaceDir, args.schemaFile));
      }
      // The expectations (judge ids and arguments) as parsed at the start, hashed for the record.
      byScenario.set(scenario.id, { files: [...mine], expectations: createHash('sha256').update(JSON.stringify(scenario.expectations)).digest('hex') });
    }
    const files = new Map<string, SnapshotFile>();
    await Promise.all([...wanted].map(async (file) => files.set(file, await readAndHash(file))));
    return new JudgeSnapshot(workspaceDir, files, byScenario);
  }

  /** The bytes of `file` as they were when the run started; undefined when it was not snapshotted. */
  get(file: string): SnapshotFile | undefined {
    return this.files.get(path.resolve(file));
  }

  /**
   * What judged a scenario, for its traces: workspace-relative path → sha256 of each judge input
   * it uses, and `expectations` → sha256 of its expectations as parsed when the run started.
   */
  digestsFor(scenarioId: string): Record<string, string> {
    const mine = this.byScenario.get(scenarioId);
    if (!mine) return {};
    const out: Record<string, string> = {};
    for (const file of [...mine.files].sort()) {
      const entry = this.files.get(file)!;
      out[path.relative(this.workspaceDir, file).split(path.sep).join('/')] = 'sha256' in entry ? entry.sha256 : `unreadable: ${entry.error}`;
    }
    out.expectations = mine.expectations;
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
