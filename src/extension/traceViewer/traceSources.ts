/**
 * Finds what the viewer shows: the trace file (from the store or a path), the verdicts of the run
 * that judged it, and the previous run of the same scenario for the metrics comparison.
 * No `vscode` import, so it is tested against real files.
 */
import { META } from '../../core/trace/model';
import { TraceStore } from '../../core/trace/store';
import { outlinePathOf } from '../../core/trace/outline';
import { cachedOutlinePath } from '../../core/trace/outlineCache';
import { listRunIds, loadReports } from '../../core/run/runStore';
import type { RunReport } from '../../core/run/protocol';
import type { TraceSourceRef } from '../../shared/traceViewerProtocol';
import { outlineMetrics } from './analysis';
import type { TraceSession } from './session';
import type { ViewerInput } from './controller';
import { workspaceOfTraceFile } from '../../core/layout';

/** Reports read per lookup, newest first: enough history without reading years of runs. */
const MAX_REPORTS = 200;

/** `<ws>/.costar/traces/<id>.trace.json` belongs to workspace `<ws>`; other files to none. */
export const workspaceOfStoredTrace = workspaceOfTraceFile;

/** The file a source names, where its outline lives and the workspace whose store holds it. */
export interface TraceTarget {
  file: string;
  outlineFile?: string;
  /** The folder of the outline cache `outlineFile` is in (a file outside any trace store). */
  outlineCache?: string;
  storeWorkspace?: string;
}

/** `outlineCache`: the folder for outlines of files outside a trace store; without it they are built in memory at each opening. */
export async function traceTarget(source: TraceSourceRef, workspaceDir: string | undefined, filePath?: (uri: string) => string, outlineCache?: string): Promise<TraceTarget> {
  if (source.kind === 'store') {
    if (!workspaceDir) throw new Error(`Cannot open trace ${source.traceId}: open the workspace folder that holds .costar/traces.`);
    const store = new TraceStore(workspaceDir);
    if (!(await store.has(source.traceId))) throw new Error(`Trace ${source.traceId} is not in ${store.dir}. Run the scenario again to record it.`);
    const file = store.path(source.traceId);
    return { file, outlineFile: outlinePathOf(file), storeWorkspace: workspaceDir };
  }
  const file = filePath ? filePath(source.uri) : source.uri;
  // A file in a trace store gets its outline beside it; any other file (the user's own) is
  // never written next to: its outline goes to the extension's outline cache.
  const storeWorkspace = workspaceOfStoredTrace(file);
  if (storeWorkspace) return { file, outlineFile: outlinePathOf(file), storeWorkspace };
  return outlineCache ? { file, outlineFile: cachedOutlinePath(outlineCache, file), outlineCache } : { file };
}

export interface FoundVerdicts {
  runId: string;
  scenarioId: string;
  verdicts: ViewerInput['verdicts'];
  /** The newest earlier agent run of the same scenario that recorded a different trace. */
  previous?: { runId: string; traceId: string };
}

/** The newest run report (an agent run or a re-score) holding verdicts for this trace. */
export async function findVerdicts(workspaceDir: string, traceId: string): Promise<FoundVerdicts | undefined> {
  const reports = await recentReports(workspaceDir);
  for (let i = 0; i < reports.length; i++) {
    const report = reports[i]!;
    for (const scenario of report.scenarios) {
      const attempt = scenario.attempts.find((a) => a.traceId === traceId);
      if (!attempt) continue;
      const found: FoundVerdicts = { runId: report.runId, scenarioId: scenario.id, verdicts: attempt.verdicts };
      const previous = previousRun(reports.slice(i + 1), scenario.id, traceId);
      if (previous) found.previous = previous;
      return found;
    }
  }
  return undefined;
}

function previousRun(older: RunReport[], scenarioId: string, traceId: string): { runId: string; traceId: string } | undefined {
  for (const report of older) {
    if (report.mode !== 'run') continue;
    const scenario = report.scenarios.find((s) => s.id === scenarioId);
    if (scenario?.traceId && scenario.traceId !== traceId) return { runId: report.runId, traceId: scenario.traceId };
  }
  return undefined;
}

async function recentReports(workspaceDir: string): Promise<RunReport[]> {
  const ids = (await listRunIds(workspaceDir)).reverse().slice(0, MAX_REPORTS);
  // A report being rewritten or corrupt does not stop the viewer; its verdicts are just missing.
  return loadReports(workspaceDir, ids, []);
}

/** Everything the controller needs for one trace, once its session is open. */
export async function viewerInput(source: TraceSourceRef, target: TraceTarget, session: TraceSession, workspaceDir: string | undefined): Promise<ViewerInput> {
  const { info } = session.summary;
  const ws = target.storeWorkspace ?? workspaceDir;
  const found = ws ? await findVerdicts(ws, info.traceId) : undefined;
  const input: ViewerInput = { source, session, verdicts: found?.verdicts ?? [] };
  if (target.storeWorkspace) input.storeWorkspace = target.storeWorkspace;
  const runId = found?.runId ?? info.metadata[META.runId];
  if (runId) input.runId = runId;
  if (found?.previous && ws) {
    const file = new TraceStore(ws).path(found.previous.traceId);
    // The comparison is optional: a previous trace that is gone or broken just leaves it out.
    const previous = await session.totalsOf(file, outlinePathOf(file)).catch(() => undefined);
    if (previous) input.previous = { ...found.previous, metrics: outlineMetrics(previous.info, previous.totals) };
  }
  return input;
}

export interface RecentTrace {
  traceId: string;
  label: string;
  description: string;
  detail?: string;
}

/** For the "Open Trace…" picker: scenario results of recent runs first, then other stored traces. */
export async function recentTraces(workspaceDir: string, limit = 200): Promise<RecentTrace[]> {
  const out: RecentTrace[] = [];
  const seen = new Set<string>();
  for (const report of await recentReports(workspaceDir)) {
    for (const scenario of report.scenarios) {
      if (!scenario.traceId || seen.has(scenario.traceId)) continue;
      seen.add(scenario.traceId);
      out.push({ traceId: scenario.traceId, label: scenario.id, description: `${scenario.status} · run ${report.runId}`, detail: scenario.error });
    }
  }
  for (const info of await new TraceStore(workspaceDir).list()) {
    if (seen.has(info.traceId)) continue;
    seen.add(info.traceId);
    const scenarioId = info.metadata[META.scenarioId];
    const origin = info.metadata[META.importedFrom] ? `imported from ${info.metadata[META.importedFrom]}` : new Date(info.requestTime).toISOString();
    out.push({ traceId: info.traceId, label: scenarioId ?? (info.requestPreview?.slice(0, 80) || info.traceId), description: `${info.state} · ${origin}` });
  }
  return out.slice(0, limit);
}
