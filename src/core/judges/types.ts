/**
 * What every judge produces and receives. A verdict is an MLflow-style assessment.
 */
import type { ExpectationDef, ScenarioDef } from '../scenario/schema';
import type { Trace } from '../trace/model';
import type { JudgeSnapshot } from './snapshot';

/** The four outcomes, everywhere. An error is never shown as a pass or a fail. */
export type Outcome = 'passed' | 'failed' | 'error' | 'skipped';

export type AssessmentSource = 'CODE' | 'LLM_JUDGE' | 'HUMAN';

export interface JudgeCost {
  inputTokens: number;
  outputTokens: number;
  modelCalls: number;
  ms: number;
}

export interface Verdict {
  /** Judge id (built-in check or judge file id). */
  judge: string;
  /** Display name: the expectation's `name` or the judge id. */
  name: string;
  /** Index of the expectation in its scenario: ties the verdict to a line of the scenario file. */
  expectationIndex: number;
  outcome: Outcome;
  value: unknown;
  rationale: string;
  source: AssessmentSource;
  /** Span ids (16 hex) the judge cites. */
  spanIds: string[];
  judgeVersion: string;
  cost: JudgeCost;
  /** Set when outcome is 'error' or 'skipped': what went wrong and how to fix it. */
  error?: string;
  /** The model a model-based judge (LLM, agentic) asked; MLflow names it as the assessment's source. */
  model?: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

export interface JudgeContext {
  trace: Trace;
  scenario: ScenarioDef;
  expectation: ExpectationDef;
  expectationIndex: number;
  /** The workspace root (folder of costar.yaml). */
  workspaceDir: string;
  /** The sandbox the agent ran in, when it still exists. */
  sandboxDir?: string;
  /** Aborted on cancel and when the judge's timeout passes. */
  signal: AbortSignal;
  /** Judge inputs read before the agent started (absent when no agent ran: re-score, monitor). */
  snapshot?: JudgeSnapshot;
}

/** What a judge implementation returns; the runner fills in the bookkeeping fields. */
export interface JudgeResult {
  outcome: Outcome;
  value: unknown;
  rationale: string;
  spanIds?: string[];
  error?: string;
  cost?: Partial<JudgeCost>;
  model?: string;
}

export interface Judge {
  id: string;
  version: string;
  source: AssessmentSource;
  evaluate(ctx: JudgeContext): Promise<JudgeResult>;
}

export const ZERO_COST: JudgeCost = { inputTokens: 0, outputTokens: 0, modelCalls: 0, ms: 0 };
