/**
 * Where a judge's alignment memory lives (`golden/<judge-id>.memory.json`) and how it is read:
 * by `costar align` (to unlearn) and by every LLM judge run (judgeTimeMemory.ts).
 */
import * as path from 'node:path';
import { goldenDir } from '../store';
import { JudgeMemory } from './memory';
import { readTextIfExists } from '../../util/files';

export function memoryFile(workspaceDir: string, judgeId: string): string {
  return path.join(goldenDir(workspaceDir), `${judgeId}.memory.json`);
}

/** The memory, or undefined when the judge has none; a damaged file is an error that says how to recover. */
export async function readMemory(workspaceDir: string, judgeId: string): Promise<JudgeMemory | undefined> {
  const file = memoryFile(workspaceDir, judgeId);
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message}); delete it to start the memory afresh, or run costar align --method memory --write`);
  }
  const parsed = JudgeMemory.safeParse(json);
  if (!parsed.success) throw new Error(`${file}: not a judge memory file (${parsed.error.issues[0]?.message}); delete it to start the memory afresh`);
  return parsed.data;
}
