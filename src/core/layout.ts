/**
 * The one module that knows where coSTAR keeps its generated state in a workspace:
 *
 * ```
 * .costar/
 *   traces/<traceId>.trace.json            stored traces (MLflow trace JSON)
 *   runs/<runId>/report.json               run reports
 *   sandboxes/<runId>/<scenario>/<attempt>/ one attempt: scenario.json, prompt.txt, agent-trace.json, sandbox/
 *   cache/llm/                             model replies by content hash
 *   monitor/scores/                        scores of production traces
 *   refinements/                           Refine's history
 *   trials/<refinementId>/                 a scratch copy of the workspace where a proposed change is tried
 * ```
 * Everything else asks here, so a path is spelled once and re-scoring finds exactly the
 * sandbox the run used.
 */
import * as path from 'node:path';

/** The folder's name; scanners skip it (coSTAR owns it, users don't write scenarios there). */
export const COSTAR_DIR = '.costar';

export const costarDir = (workspaceDir: string): string => path.join(workspaceDir, COSTAR_DIR);
export const tracesDir = (workspaceDir: string): string => path.join(costarDir(workspaceDir), 'traces');
export const tracePath = (workspaceDir: string, traceId: string): string => path.join(tracesDir(workspaceDir), `${traceId}.trace.json`);
export const runsDir = (workspaceDir: string): string => path.join(costarDir(workspaceDir), 'runs');
export const reportPath = (workspaceDir: string, runId: string): string => path.join(runsDir(workspaceDir), runId, 'report.json');
export const llmCacheDir = (workspaceDir: string): string => path.join(costarDir(workspaceDir), 'cache', 'llm');
export const monitorScoresDir = (workspaceDir: string): string => path.join(costarDir(workspaceDir), 'monitor', 'scores');
export const refinementsDir = (workspaceDir: string): string => path.join(costarDir(workspaceDir), 'refinements');
export const trialDir = (workspaceDir: string, refinementId: string): string => path.join(costarDir(workspaceDir), 'trials', refinementId);

/** The files of one scenario attempt. */
export interface AttemptPaths {
  dir: string;
  /** The agent's working directory. */
  sandbox: string;
  /** The scenario as JSON (COSTAR_SCENARIO_FILE). */
  scenarioFile: string;
  /** Where the agent may write its own trace (COSTAR_TRACE_FILE). */
  agentTraceFile: string;
  /** The prompt as a file (COSTAR_PROMPT_FILE). */
  promptFile: string;
}

export function attemptPaths(workspaceDir: string, runId: string, scenarioId: string, attempt: number): AttemptPaths {
  const dir = path.join(costarDir(workspaceDir), 'sandboxes', runId, scenarioId, String(attempt));
  return { dir, sandbox: path.join(dir, 'sandbox'), scenarioFile: path.join(dir, 'scenario.json'), agentTraceFile: path.join(dir, 'agent-trace.json'), promptFile: path.join(dir, 'prompt.txt') };
}

/** The workspace whose trace store holds `file` (`<ws>/.costar/traces/<id>.trace.json`), or undefined. */
export function workspaceOfTraceFile(file: string): string | undefined {
  const dir = path.dirname(file);
  if (path.basename(dir) !== 'traces' || path.basename(path.dirname(dir)) !== COSTAR_DIR) return undefined;
  return path.dirname(path.dirname(dir));
}
