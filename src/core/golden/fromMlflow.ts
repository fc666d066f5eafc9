/**
 * `costar label --from-mlflow`: HUMAN feedback given in MLflow (its review app, labeling sessions,
 * `mlflow.log_feedback`) as golden-set labels of a judge, so alignment works with labels people made
 * in MLflow. A label refers to the trace in the local store; a trace coSTAR does not have yet is
 * imported first. A value the judge cannot have is skipped with the reason; a label that is already
 * in the golden set (same trace, labeller and time — e.g. one coSTAR exported) is not added again.
 */
import type { Trace } from '../trace/model';
import { META } from '../trace/model';
import type { TraceStore } from '../trace/store';
import { fromMlflowAssessment } from '../trace/assessments';
import type { JudgeFileDef } from '../judges/judgeFile';
import type { Experiment } from '../mlflow/experiment';
import type { MlflowRest } from '../mlflow/rest';
import { getTrace, searchTraces, type SearchOptions } from '../mlflow/traces';
import { labelKey, traceRefOf, type GoldenLabel } from './label';
import { valueProblem } from './values';

export interface MlflowLabelsRequest extends SearchOptions {
  judgeId: string;
  judgeVersion: string;
  def: JudgeFileDef;
  /** The MLflow assessment name to read (default: the judge id). */
  assessment: string;
  /** Labels the golden set has already. */
  existing: readonly GoldenLabel[];
}

export async function labelsFromMlflow(rest: MlflowRest, experiment: Experiment, store: TraceStore, request: MlflowLabelsRequest): Promise<{ labels: GoldenLabel[]; warnings: string[] }> {
  const have = new Set(request.existing.map(normalizedKey));
  const labels: GoldenLabel[] = [];
  const warnings: string[] = [];
  for await (const info of searchTraces(rest, experiment.id, request)) {
    const human = (info.assessments ?? [])
      .map((a, n) => fromMlflowAssessment(a, `${info.trace_id}: assessments[${n}]`))
      .filter((a) => a !== undefined && a.kind === 'feedback' && a.source.type === 'HUMAN' && a.name === request.assessment && !a.error);
    if (human.length === 0) continue;
    const hex = /^tr-([0-9a-f]{32})$/.exec(info.trace_id)?.[1];
    let trace: Trace | undefined = hex ? await store.get(hex) : undefined;
    if (!trace) {
      trace = await getTrace(rest, info.trace_id);
      if (!trace) continue;
      trace.info.metadata[META.source] = 'import';
      trace.info.metadata[META.importedFrom] = `mlflow experiment ${experiment.name} (${experiment.id})`;
      await store.put(trace);
    }
    for (const a of human) {
      const labeller = a!.source.id || 'mlflow';
      const problem = valueProblem(request.def.value, a!.value);
      if (problem) {
        warnings.push(`${info.trace_id}: ${labeller}'s ${JSON.stringify(a!.value)} for ${request.assessment} is not a value of judge ${request.judgeId} (${problem}); skipped`);
        continue;
      }
      const label: GoldenLabel = {
        traceRef: traceRefOf(trace),
        judgeId: request.judgeId,
        judgeVersion: request.judgeVersion,
        value: a!.value as GoldenLabel['value'],
        rationale: a!.rationale ?? '',
        labeller,
        time: a!.createTime,
      };
      const key = normalizedKey(label);
      if (have.has(key)) continue;
      have.add(key);
      labels.push(label);
    }
  }
  return { labels, warnings };
}

function normalizedKey(label: GoldenLabel): string {
  return labelKey({ ...label, time: new Date(label.time).toISOString() });
}
