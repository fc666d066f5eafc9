/**
 * Promote a stored trace to a scenario draft, for the CLI and the dashboard alike: find the
 * judges that failed on it, pick the agent, draft the YAML and check it the way the editor
 * and `costar run` will, so a draft that would not load is reported before anyone sees it.
 */
import * as path from 'node:path';
import { parseScenarioFile } from '../scenario/load';
import type { Problem } from '../scenario/yamlSource';
import { TraceStore } from '../trace/store';
import { loadWorkspaceWithJudges } from '../workspace';
import { defaultScenarioId, draftScenarioFromTrace, type FailedJudge } from './draftScenario';
import { failedJudgesOfTrace } from './failedJudges';

export class PromoteError extends Error {}

export interface PromoteOptions {
  /** Agent name from costar.yaml; default: the agent of the run that produced the trace, else the only agent. */
  agent?: string;
  id?: string;
}

export interface PromotedDraft {
  scenarioId: string;
  text: string;
  failed: FailedJudge[];
  /** Where the draft is suggested to be saved (not written). */
  suggestedFile: string;
  /** Warnings of the check (errors throw). */
  problems: Problem[];
}

export async function promoteTrace(workspaceDir: string, traceId: string, options: PromoteOptions = {}): Promise<PromotedDraft> {
  const trace = await new TraceStore(workspaceDir).get(traceId);
  if (!trace) throw new PromoteError(`no trace ${traceId} in ${path.join(workspaceDir, '.costar', 'traces')}; import production traces with \`costar monitor import\``);
  const { workspace, catalog } = await loadWorkspaceWithJudges(workspaceDir);
  const config = workspace.config;
  if (!config) throw new PromoteError(`${workspace.configFile} is missing or invalid: run \`costar validate\` to see why`);
  const { failed, agent: runAgent } = await failedJudgesOfTrace(workspaceDir, traceId, workspace.scenarios);

  const agents = Object.keys(config.agents).sort();
  const agent = options.agent ?? runAgent ?? (agents.length === 1 ? agents[0] : undefined);
  if (!agent) throw new PromoteError(`name the agent that should run the scenario (--agent NAME); costar.yaml defines: ${agents.join(', ') || '(none)'}`);
  if (!config.agents[agent]) throw new PromoteError(`unknown agent "${agent}"; costar.yaml defines: ${agents.join(', ') || '(none)'}`);

  const scenarioId = options.id ?? defaultScenarioId(traceId);
  const text = draftScenarioFromTrace(trace, failed, { agent, id: scenarioId });
  const suggestedFile = path.join(workspaceDir, `${scenarioId}.scenario.yaml`);
  const checked = parseScenarioFile(text, suggestedFile, { workspaceDir, config, ...(catalog ? { knownJudges: catalog.ids() } : {}) });
  const errors = checked.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new PromoteError(`the draft does not validate:\n${errors.map((p) => `  line ${p.line}: ${p.message}`).join('\n')}`);
  const clash = workspace.scenarios.find((s) => s.def.id === scenarioId);
  const problems = checked.problems.slice();
  if (clash) problems.push({ file: suggestedFile, line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'warning', message: `scenario id "${scenarioId}" is already used in ${clash.relFile}; rename it before saving (or pass --id)` });
  return { scenarioId, text, failed, suggestedFile, problems };
}
