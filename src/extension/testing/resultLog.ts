import type { Outcome } from '../../core/judges/types';

/** What the extension reported for one scenario in its latest run. */
export interface ScenarioOutcome {
  workspaceDir: string;
  scenarioId: string;
  status: Outcome;
  /** Absolute path of the stored trace of the last attempt, when one was recorded. */
  traceFile?: string;
  /** Messages reported on the scenario item: Markdown text and the 1-based line they point at. */
  messages: { markdown: string; file?: string; line?: number }[];
  durationMs: number;
}

/**
 * The latest outcome per scenario, as shown in the Test Explorer. "Open Trace" reads it to
 * find a result's trace, and the extension's exported API exposes it to in-editor tests.
 */
export class ResultLog {
  private readonly outcomes = new Map<string, ScenarioOutcome>();

  record(outcome: ScenarioOutcome): void {
    this.outcomes.set(key(outcome.workspaceDir, outcome.scenarioId), outcome);
  }

  get(workspaceDir: string, scenarioId: string): ScenarioOutcome | undefined {
    return this.outcomes.get(key(workspaceDir, scenarioId));
  }

  all(): ScenarioOutcome[] {
    return [...this.outcomes.values()];
  }
}

function key(workspaceDir: string, scenarioId: string): string {
  return `${workspaceDir}\u0000${scenarioId}`;
}
