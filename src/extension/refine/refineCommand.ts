/**
 * "coSTAR: Refine agent": pick the agent and the failing scenarios of the last run, confirm
 * the model, then hand over to the round flow (roundFlow.ts): propose, review inline,
 * re-run, summarize, and further rounds. "coSTAR: Refine agent again" starts the next round
 * of an earlier refinement.
 */
import { MODEL_SETUP_HINT, type ModelConfigDef as ModelConfig } from '../../core/llm/fromEnv';
import type { ModelClient } from '../../core/llm/types';
import { listRefinementIds, loadRefinement } from '../../core/refine/history';
import type { RunReport } from '../../core/run/protocol';
import { latestRun } from '../../core/run/runStore';
import { loadWorkspace } from '../../core/scenario/load';
import { extensionModelClient } from '../llm/editorModels';
import { readSettings } from '../settings';
import type { VSCode } from '../vscodeApi';
import type { InlineProposals } from './proposals';
import { nextRequest, startRound, type RefineSession, type RefineSessionHandle } from './roundFlow';

export type { RefineSessionHandle, RoundOutcome } from './roundFlow';
export type { RefineDeps } from './deps';
import type { RefineDeps } from './deps';
import { modelEnvironmentFor } from '../modelAccess';

/** Arguments for scripted use (tests, other commands); a person gets pickers instead. */
export interface RefineCommandOptions {
  agent?: string;
  scenarioIds?: string[];
  /** false: skip the model confirmation dialog. */
  confirm?: boolean;
  /** true: re-run as soon as every hunk is decided, without asking. */
  verify?: boolean;
  /** Rounds started without asking while still red (default: setting costar.refine.maxRounds). */
  maxRounds?: number;
}

/** Arguments of "Refine agent again" for scripted use. */
export interface RefineAgainOptions {
  /** The refinement to follow up (default: the newest). */
  refinementId?: string;
  confirm?: boolean;
  verify?: boolean;
  maxRounds?: number;
}

export async function refineAgentCommand(vscode: VSCode, proposals: InlineProposals, deps: RefineDeps, arg?: unknown): Promise<RefineSessionHandle | undefined> {
  const fromItem = arg !== undefined ? deps.scenarioOf?.(arg) : undefined;
  const options: RefineCommandOptions = fromItem ? { scenarioIds: [fromItem.scenarioId] } : isOptions(arg) ? arg : {};
  const workspaceDir = fromItem?.workspaceDir ?? deps.workspaceDir();
  if (!workspaceDir) return void vscode.window.showErrorMessage('coSTAR: open a folder with a costar.yaml to refine an agent.');
  if (!vscode.workspace.isTrusted) return void vscode.window.showErrorMessage('coSTAR refines agents only in a trusted workspace: trust this workspace first.');

  const before = await latestRun(workspaceDir, 'run');
  if (!before) return void vscode.window.showErrorMessage('coSTAR: no stored run yet. Run the scenarios first, then refine the agent of the failing ones.');
  const workspace = await loadWorkspace(workspaceDir);
  const agentOf = new Map(workspace.scenarios.map((s) => [s.def.id, s.agentName]));
  const failing = before.scenarios.filter((s) => (s.status === 'failed' || s.status === 'error') && agentOf.has(s.id));
  if (failing.length === 0) return void vscode.window.showInformationMessage(`coSTAR: nothing failed in the last run (${before.runId}); there is nothing to refine.`);

  const agent = options.agent ?? (options.scenarioIds?.[0] ? agentOf.get(options.scenarioIds[0]) : undefined) ?? (await pickAgent(vscode, failing.map((s) => agentOf.get(s.id)!)));
  if (!agent) return;
  const scenarioIds = options.scenarioIds ?? (await pickScenarios(vscode, failing.filter((s) => agentOf.get(s.id) === agent)));
  if (!scenarioIds || scenarioIds.length === 0) return;

  const secretEnv = await modelEnvironmentFor(vscode, deps.workspaceState, workspaceDir, await deps.apiKey(), workspace.config?.model);
  const model = await modelOrExplain(vscode, workspaceDir, secretEnv, workspace.config?.model);
  if (!model) return;
  if (options.confirm !== false && !(await confirmModel(vscode, model, agent, scenarioIds))) return;

  const session: RefineSession = {
    vscode, proposals, deps, workspaceDir, agent, model, secretEnv,
    verifyWithoutAsking: options.verify === true,
    maxRounds: options.maxRounds ?? maxRoundsSetting(vscode, workspaceDir),
  };
  return startRound(session, { runId: before.runId, scenarioIds, round: 1 });
}

/**
 * "coSTAR: Refine agent again": another round of a refinement (default: the newest of the
 * workspace), told what the developer rejected and, after a re-run, what still fails.
 */
export async function refineAgainCommand(vscode: VSCode, proposals: InlineProposals, deps: RefineDeps, arg?: unknown): Promise<RefineSessionHandle | undefined> {
  const options: RefineAgainOptions = typeof arg === 'object' && arg !== null && !Array.isArray(arg) && !(arg instanceof vscode.Uri) ? (arg as RefineAgainOptions) : {};
  const workspaceDir = deps.workspaceDir();
  if (!workspaceDir) return void vscode.window.showErrorMessage('coSTAR: open a folder with a costar.yaml to refine an agent.');
  if (!vscode.workspace.isTrusted) return void vscode.window.showErrorMessage('coSTAR refines agents only in a trusted workspace: trust this workspace first.');
  const id = options.refinementId ?? (await listRefinementIds(workspaceDir)).at(-1);
  if (!id) return void vscode.window.showErrorMessage('coSTAR: there is no refinement yet: run "coSTAR: Refine agent" first.');
  const record = await loadRefinement(workspaceDir, id);
  if (proposals.pendingUris().some((uri) => proposals.refinementOf(uri) === id)) {
    return void vscode.window.showErrorMessage(`coSTAR: refinement ${id} is still under review: accept or reject its hunks (or Discard it) first.`);
  }
  const workspace = await loadWorkspace(workspaceDir);
  const secretEnv = await modelEnvironmentFor(vscode, deps.workspaceState, workspaceDir, await deps.apiKey(), workspace.config?.model);
  const model = await modelOrExplain(vscode, workspaceDir, secretEnv, workspace.config?.model);
  if (!model) return undefined;
  const request = nextRequest(record);
  if (options.confirm !== false && !(await confirmModel(vscode, model, record.agent, request.scenarioIds ?? record.scenarioIds, request.round))) return undefined;
  const session: RefineSession = {
    vscode, proposals, deps, workspaceDir, agent: record.agent, model, secretEnv,
    verifyWithoutAsking: options.verify === true,
    maxRounds: options.maxRounds ?? maxRoundsSetting(vscode, workspaceDir),
  };
  return startRound(session, request);
}

/** `costar.refine.maxRounds`: rounds started without asking while the agent's scenarios stay red. */
function maxRoundsSetting(vscode: VSCode, workspaceDir: string): number {
  const value = vscode.workspace.getConfiguration('costar', vscode.Uri.file(workspaceDir)).get<number>('refine.maxRounds', 1);
  return Number.isInteger(value) && value >= 1 ? value : 1;
}

async function modelOrExplain(vscode: VSCode, workspaceDir: string, secretEnv: Record<string, string>, config: ModelConfig | undefined): Promise<ModelClient | undefined> {
  const settings = readSettings(vscode, vscode.Uri.file(workspaceDir));
  const model = extensionModelClient(vscode, settings, { ...process.env, ...secretEnv }, config);
  if (model) return model;
  const choice = await vscode.window.showErrorMessage(`coSTAR: Refine needs a model. ${MODEL_SETUP_HINT}`, 'Select Model', 'Set API Key', 'Open Settings');
  if (choice === 'Select Model') void vscode.commands.executeCommand('costar.selectModel');
  if (choice === 'Set API Key') void vscode.commands.executeCommand('costar.setApiKey');
  if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'costar.model');
  return undefined;
}

async function pickAgent(vscode: VSCode, agents: string[]): Promise<string | undefined> {
  const counts = new Map<string, number>();
  for (const a of agents) counts.set(a, (counts.get(a) ?? 0) + 1);
  if (counts.size === 1) return agents[0];
  const pick = await vscode.window.showQuickPick(
    [...counts].map(([label, n]) => ({ label, description: `${n} failing scenario(s)` })),
    { title: 'coSTAR: Refine agent', placeHolder: 'Which agent should the assistant change?' },
  );
  return pick?.label;
}

async function pickScenarios(vscode: VSCode, failing: RunReport['scenarios']): Promise<string[] | undefined> {
  const picks = await vscode.window.showQuickPick(
    failing.map((s) => ({ label: s.id, description: `${s.status} · ${s.file}:${s.line}`, picked: true })),
    { title: 'coSTAR: Refine agent — failing scenarios to fix', canPickMany: true },
  );
  return picks?.map((p) => p.label);
}

async function confirmModel(vscode: VSCode, model: ModelClient, agent: string, scenarioIds: string[], round = 1): Promise<boolean> {
  const choice = await vscode.window.showInformationMessage(
    `Refine agent "${agent}"${round > 1 ? ` again (round ${round})` : ''} for ${round > 1 ? 'the' : scenarioIds.length} failing scenario(s) with model ${model.model || `the editor's default model (${model.source})`}?`,
    { modal: true, detail: 'The assistant reads the failing verdicts and the agent\'s source folders and proposes edits. Nothing is written until you accept.' },
    'Refine',
  );
  return choice === 'Refine';
}

function isOptions(arg: unknown): arg is RefineCommandOptions {
  return typeof arg === 'object' && arg !== null && !Array.isArray(arg) && ('agent' in arg || 'scenarioIds' in arg || 'confirm' in arg || 'verify' in arg || 'maxRounds' in arg);
}
