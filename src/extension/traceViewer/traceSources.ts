/**
 * Finds what the viewer shows: the trace (from the store or a file), the verdicts of the run
 * that judged it, and the previous run of the same scenario for the metrics comparison.
 * No `vscode` import, so it is tested against real files.
 */
import type { Trace } from '../../core/trace/model';
import { META } from '../../core/trace/model';
import { TraceStore } from '../../core/trace/store';
import { readTraceFile } from '../../core/trace/traceFile';
import { listRunIds, loadReports } from '../../core/run/runStore';
import type { RunReport } from '../../core/run/protocol';
import type { TraceSourceRef } from '../../shared/traceViewerProtocol';
import { traceMetrics } from './analysis';
import type { ViewerInput } from './controller';
import { workspaceOfTraceFile } from '../../core/layout';

/** Reports read per lookup, newest first: enough history without reading years of runs. */
const MAX_REPORTS = 200;

/** `<ws>/.costar/traces/<id>.trace.json` belongs to workspace `<ws>`; other files to none. */
export const workspaceOfStoredTrace = workspaceOfTraceFile;

export async function loadTrace(source: TraceSourceRef, workspaceDir: string | undefined, filePath?: (uri: string) => string): Promise<Trace> {
  if (source.kind === 'store') {
    if (!workspaceDir) throw new Error(`Cannot open trace ${source.traceId}: open the workspace folder that holds .costar/traces.`);
    const trace = await new TraceStore(workspaceDir).get(source.traceId);
    if (!trace) throw new Error(`Trace ${source.traceId} is not in ${new TraceStore(workspaceDir).dir}. Run the scenario again to record it.`);
    return trace;
  }
  const file = filePath ? filePath(source.uri) : source.uri;
  const traces = await readTraceFile(file);
  const first = traces[0];
  if (!first) throw new Error(`${file} holds no trace (expected MLflow trace JSON or OTLP JSON).`);
  return first;
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

/** Everything the controller needs for one trace. */
export async function viewerInput(source: TraceSourceRef, workspaceDir: string | undefined, filePath?: (uri: string) => string): Promise<ViewerInput> {
  const trace = await loadTrace(source, workspaceDir, filePath);
  const fileWorkspace = source.kind === 'file' ? workspaceOfStoredTrace(filePath ? filePath(source.uri) : source.uri) : undefined;
  const ws = fileWorkspace ?? workspaceDir;
  const found = ws ? await findVerdicts(ws, trace.info.traceId) : undefined;
  const input: ViewerInput = { source, trace, verdicts: found?.verdicts ?? [] };
  const storeWorkspace = source.kind === 'store' ? workspaceDir : fileWorkspace;
  if (storeWorkspace) input.storeWorkspace = storeWorkspace;
  const runId = found?.runId ?? trace.info.metadata[META.runId];
  if (runId) input.runId = runId;
  if (found?.previous && ws) {
    const previousTrace = await new TraceStore(ws).get(found.previous.traceId).catch(() => undefined);
    if (previousTrace) input.previous = { ...found.previous, metrics: traceMetrics(previousTrace) };
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
