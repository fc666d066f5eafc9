/**
 * Traces of an MLflow experiment into the trace store, with their assessments: `costar import
 * --mlflow` and `costar monitor import --mlflow`. A trace the server cannot give or coSTAR cannot
 * read is skipped with a warning naming it; the others still import.
 */
import { META, type Trace } from '../trace/model';
import type { TraceStore } from '../trace/store';
import type { Experiment } from './experiment';
import type { MlflowRest } from './rest';
import { getTrace, searchTraces, type SearchOptions } from './traces';

export interface MlflowImportOptions extends SearchOptions {
  /** Leave traces the store already has alone (monitoring: a trace's spans never change). */
  skipExisting?: boolean;
  /** Called on each trace before it is stored (e.g. to mark it as production). */
  mark?: (trace: Trace) => void;
}

export interface MlflowImportResult {
  traces: Trace[];
  skipped: number;
  warnings: string[];
}

export async function importFromMlflow(rest: MlflowRest, experiment: Experiment, store: TraceStore, options: MlflowImportOptions = {}): Promise<MlflowImportResult> {
  const result: MlflowImportResult = { traces: [], skipped: 0, warnings: [] };
  for await (const info of searchTraces(rest, experiment.id, options)) {
    const id = info.trace_id;
    const hex = /^tr-([0-9a-f]{32})$/.exec(id)?.[1];
    if (hex && options.skipExisting && (await store.has(hex))) {
      result.skipped++;
      continue;
    }
    let trace: Trace | undefined;
    try {
      trace = await getTrace(rest, id);
    } catch (error) {
      result.warnings.push(`${(error as Error).message}; skipped`);
      continue;
    }
    if (!trace) {
      result.warnings.push(`MLflow trace ${id}: gone between search and read; skipped`);
      continue;
    }
    // A run trace exported to MLflow and read back into the workspace that ran it keeps its
    // place: replacing it would make a re-score judge the imported content as that run's.
    const conflict = await store.importConflict(trace.info.traceId);
    if (conflict) {
      result.warnings.push(`MLflow trace ${id}: ${conflict}`);
      continue;
    }
    trace.info.metadata[META.source] = 'import';
    trace.info.metadata[META.importedFrom] = `mlflow experiment ${experiment.name} (${experiment.id})`;
    options.mark?.(trace);
    await store.put(trace);
    result.traces.push(trace);
  }
  return result;
}
