/** A temporary copy of the example workspace for refine tests (shared by the refine-*.test.ts files). */
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/workspace';

export const SKILL = 'agents/analyst/skill.md';

/** A copy of scenarios/ without its run history; node_modules linked so the agent finds its OTel packages. */
export function copyExampleWorkspace(): { dir: string; dispose(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'costar-refine-'));
  cpSync(path.join(REPO_ROOT, 'scenarios'), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.costar`) });
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
