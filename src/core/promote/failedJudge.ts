/** A judge that failed on a trace: what a promoted scenario expects, and why it failed. */
export interface FailedJudge {
  judge: string;
  /** Display name (e.g. the monitoring or expectation name). */
  name?: string;
  with?: Record<string, unknown>;
  rationale?: string;
}
