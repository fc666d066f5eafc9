/** Which two stored runs `costar diff` compares when the user names fewer than two. */
import type { RunReport } from '../run/protocol';
import { listRunIds, loadReport, runsDir } from '../run/runStore';
import { isGreen } from './diff';

export class RunSelectionError extends Error {}

/**
 * B: the named run, else the newest. A: the named run, else the newest all-green run older
 * than B — "what broke since it was last green".
 */
export async function selectRunsToDiff(workspaceDir: string, runA?: string, runB?: string): Promise<{ a: RunReport; b: RunReport }> {
  const ids = await listRunIds(workspaceDir);
  if (ids.length === 0) throw new RunSelectionError(`no stored run in ${runsDir(workspaceDir)}: run the scenarios first (costar run)`);
  const load = async (id: string) => {
    if (!ids.includes(id)) throw new RunSelectionError(`no run "${id}" in ${runsDir(workspaceDir)}; stored runs: ${ids.slice(-5).join(', ')}${ids.length > 5 ? ', …' : ''}`);
    return loadReport(workspaceDir, id);
  };
  const b = await load(runB ?? ids.at(-1)!);
  if (runA) return { a: await load(runA), b };
  for (const id of ids.slice(0, ids.indexOf(b.runId)).reverse()) {
    const candidate = await loadReport(workspaceDir, id);
    if (isGreen(candidate)) return { a: candidate, b };
  }
  throw new RunSelectionError(`no all-green run before ${b.runId} to compare with; name both runs: costar diff RUN_A RUN_B`);
}
