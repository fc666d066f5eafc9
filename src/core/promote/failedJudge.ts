/** A judge that failed on the trace: its id and, when known, the arguments it ran with. */
export interface FailedJudge {
  judge: string;
  /** Display name (e.g. the monitoring or expectation name). */
  name?: string;
  with?: Record<string, unknown>;
  rationale?: string;
}
