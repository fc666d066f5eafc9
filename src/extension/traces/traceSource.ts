/** Where the Traces view's rows come from: trace headers and run reports under `.costar/`. */
import { listRunIds, loadReports } from '../../core/run/runStore';
import { TraceStore } from '../../core/trace/store';
import type { SkippedFile } from '../../core/util/files';
import { traceRows, type TraceFilter, type TraceRow } from './traceRows';

/** Reports read for outcomes and tokens: the newest ones (older traces show their own state). */
const MAX_REPORTS = 100;

export async function loadTraceRows(workspaceDir: string, filter: TraceFilter): Promise<TraceRow[]> {
  // A damaged trace or report is left out; the view shows the rest.
  const skipped: SkippedFile[] = [];
  const infos = await new TraceStore(workspaceDir).list(skipped);
  const reports = await loadReports(workspaceDir, (await listRunIds(workspaceDir)).slice(-MAX_REPORTS), skipped);
  return traceRows(infos, reports, filter);
}
