/**
 * What of a trace the model sees when it drafts a promoted scenario: bounded excerpts, never
 * the trace. A production trace can be megabytes of spans; the request, the answer, what the
 * agent wrote and why the judges failed are what tell which setup reproduces the failure.
 */
import { finalInput, finalOutput } from '../judges/checks/traceText';
import type { Trace } from '../trace/model';
import type { FailedJudge } from './failedJudge';

const INPUT_CHARS = 2000;
const OUTPUT_CHARS = 2000;
const MAX_ARTIFACTS_LISTED = 30;
/** Artifacts at most this long are quoted whole; longer ones are only listed. */
const SMALL_ARTIFACT_CHARS = 1500;
const MAX_ARTIFACTS_QUOTED = 4;
const RATIONALE_CHARS = 500;
const MAX_RATIONALES = 10;

export interface TraceExcerpts {
  input: string;
  output: string;
  artifacts: { path: string; change: string; size: number }[];
  artifactTexts: { path: string; text: string }[];
  failedJudges: { judge: string; name?: string; rationale: string }[];
}

export function traceExcerpts(trace: Trace, failed: readonly FailedJudge[]): TraceExcerpts {
  const small = trace.artifacts.filter((a) => a.change !== 'deleted' && a.text !== undefined && a.text.length <= SMALL_ARTIFACT_CHARS);
  return {
    input: clip(finalInput(trace) ?? '', INPUT_CHARS),
    output: clip(finalOutput(trace) ?? '', OUTPUT_CHARS),
    artifacts: trace.artifacts.slice(0, MAX_ARTIFACTS_LISTED).map((a) => ({ path: a.path, change: a.change, size: a.size })),
    artifactTexts: small.slice(0, MAX_ARTIFACTS_QUOTED).map((a) => ({ path: a.path, text: a.text! })),
    failedJudges: failed.slice(0, MAX_RATIONALES).map((f) => ({
      judge: f.judge,
      ...(f.name && f.name !== f.judge ? { name: f.name } : {}),
      rationale: clip(f.rationale ?? '(no rationale)', RATIONALE_CHARS),
    })),
  };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… [${text.length - max} more characters not shown]` : text;
}
