/** Which two stored runs `costar diff` compares when the user names fewer than two. */
import type { RunReport } from '../run/protocol';
import { listRunIds, loadReport, loadReportOrSkip, runsDir } from '../run/runStore';
import type { SkippedFile } from '../util/files';
import { isCompleteGreen } from './diff';

export class RunSelectionError extends Error {}

/**
 * B: the named run, else the newest. A: the named run, else the newest complete all-green run
 * older than B — "what broke since it was last green"; "latest" names the newest run. Runs are
 * only picked among readable reports: a damaged one is added to `skipped` and passed over; a
 * damaged run named by id is an error.
 */
export async function selectRunsToDiff(workspaceDir: string, runA?: string, runB?: string, skipped: SkippedFile[] = []): Promise<{ a: RunReport; b: RunReport }> {
  const ids = await listRunIds(workspaceDir);
  if (ids.length === 0) throw new RunSelectionError(`no stored run in ${runsDir(workspaceDir)}: run the scenarios first (costar run)`);
  const load = async (name: string) => {
    const id = name === 'latest' ? ids.at(-1)! : name;
    if (!ids.includes(id)) throw new RunSelectionError(`no run "${id}" in ${runsDir(workspaceDir)}; stored runs: ${ids.slice(-5).join(', ')}${ids.length > 5 ? ', …' : ''}`);
    try {
      return await loadReport(workspaceDir, id);
    } catch (error) {
      throw new RunSelectionError((error as Error).message);
    }
  };
  let b: RunReport | undefined;
  if (runB) b = await load(runB);
  else for (const id of [...ids].reverse()) if ((b = await loadReportOrSkip(workspaceDir, id, skipped))) break;
  if (!b) throw new RunSelectionError(`no readable run report in ${runsDir(workspaceDir)}: run the scenarios again (costar run)`);
  if (runA) return { a: await load(runA), b };
  for (const id of ids.slice(0, ids.indexOf(b.runId)).reverse()) {
    const candidate = await loadReportOrSkip(workspaceDir, id, skipped);
    if (candidate && isCompleteGreen(candidate, b)) return { a: candidate, b };
  }
  throw new RunSelectionError(
    `no complete all-green run before ${b.runId} to compare with (a run of every scenario, without --scenario, --tag, --filter or --shard, in which nothing failed); name both runs: costar diff RUN_A RUN_B`,
  );
}
