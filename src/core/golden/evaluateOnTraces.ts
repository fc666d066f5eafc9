/**
 * Runs a judge now on stored traces (no agent runs): what `costar agreement --evaluate` and
 * the queue use when no report holds the judge's opinion yet.
 */
import type { JudgeCatalog } from '../judges/catalog';
import { evaluateExpectations } from '../judges/evaluate';
import { AlignmentMemories } from './align/judgeTimeMemory';
import { mapLimited } from '../util/limiter';
import type { ModelClient } from '../llm/types';
import type { JudgeOpinion } from './judgeVerdicts';
import { opinionValue } from './judgeVerdicts';
import type { TraceCase } from './traceCase';

export interface EvaluateOnTracesOptions {
  workspaceDir: string;
  catalog: JudgeCatalog;
  model?: ModelClient | undefined;
  signal?: AbortSignal;
  concurrency?: number;
}

export interface EvaluationOutcome {
  opinions: Map<string, JudgeOpinion>;
  /** Traces the judge could not rate (error or skipped), with its reason. */
  failures: { traceId: string; reason: string }[];
}

export async function evaluateOnTraces(cases: readonly TraceCase[], options: EvaluateOnTracesOptions): Promise<EvaluationOutcome> {
  const opinions = new Map<string, JudgeOpinion>();
  const failures: { traceId: string; reason: string }[] = [];
  const signal = options.signal ?? new AbortController().signal;
  // One memory reader for all traces: the judge's memory is loaded once, not per trace.
  const alignment = new AlignmentMemories(options.workspaceDir);
  await mapLimited([...cases], options.concurrency ?? 4, async (c) => {
    const [verdict] = await evaluateExpectations({ trace: c.trace, scenario: c.scenario, workspaceDir: options.workspaceDir, catalog: options.catalog, model: options.model, alignment, signal, concurrency: 1 });
    const traceId = c.trace.info.traceId;
    const value = verdict && opinionValue(verdict, options.catalog.get(verdict.judge)?.def?.value);
    if (verdict && value !== undefined) {
      opinions.set(traceId, { traceId, value, rationale: verdict.rationale, judgeVersion: verdict.judgeVersion, source: 'evaluated' });
    } else {
      failures.push({ traceId, reason: verdict?.error ?? verdict?.rationale ?? 'no verdict' });
    }
  });
  return { opinions, failures };
}
