/**
 * A stored trace as a judge sees it: the trace, the scenario it ran for and the expectation
 * that names the judge (so per-scenario `with:` and guidelines apply, as in a run). Imported
 * traces have no scenario; they get a stand-in whose prompt is the trace's own input.
 */
import { asText } from '../judges/checks/traceText';
import type { LoadedScenario } from '../scenario/load';
import type { ExpectationDef, ScenarioDef } from '../scenario/schema';
import { META, rootSpans, type Trace } from '../trace/model';

export interface TraceCase {
  trace: Trace;
  scenario: ScenarioDef;
  expectation: ExpectationDef;
}

export function traceCase(trace: Trace, judgeId: string, scenarios: readonly LoadedScenario[]): TraceCase {
  const scenarioId = trace.info.metadata[META.scenarioId];
  const loaded = scenarioId ? scenarios.find((s) => s.def.id === scenarioId) : undefined;
  const expectation: ExpectationDef = loaded?.def.expectations.find((e) => e.judge === judgeId) ?? { judge: judgeId, with: {} };
  const scenario: ScenarioDef = loaded
    ? { ...loaded.def, expectations: [expectation] }
    : {
        id: scenarioId ?? `trace-${trace.info.traceId.slice(0, 8)}`,
        tags: [],
        setup: { files: {}, env: {}, commands: [] },
        prompt: taskOf(trace),
        expectations: [expectation],
        pass: 'all',
      };
  return { trace, scenario, expectation };
}

/**
 * Whether `judgeId` assesses this trace: a run of a scenario in the workspace is assessed by
 * the judges its expectations name; an imported or production trace, or one whose scenario is
 * gone (renamed, deleted: its labels still count), has no scenario to say, so any judge may be
 * asked about it.
 */
export function judgeAssesses(info: Pick<Trace['info'], 'metadata'>, judgeId: string, scenarios: readonly LoadedScenario[]): boolean {
  const scenarioId = info.metadata[META.scenarioId];
  const scenario = scenarioId ? scenarios.find((s) => s.def.id === scenarioId) : undefined;
  return !scenario || scenario.def.expectations.some((e) => e.judge === judgeId);
}

/** The task an imported trace was given: its root span's input, else the request preview. */
export function taskOf(trace: Trace): string {
  const root = rootSpans(trace)[0];
  const inputs = root?.inputs;
  if (inputs && typeof inputs === 'object' && !Array.isArray(inputs)) {
    const record = inputs as Record<string, unknown>;
    for (const key of ['prompt', 'input', 'question', 'query']) if (typeof record[key] === 'string') return record[key] as string;
  }
  const text = asText(inputs);
  return text !== '' ? text : (trace.info.requestPreview ?? '(the task is not recorded in this trace)');
}
