/**
 * Promote a stored trace to a scenario draft, for the CLI and the dashboard alike: find the
 * judges that failed on it, pick the agent, draft the YAML and check it the way the editor
 * and `costar run` will, so a draft that would not load is reported before anyone sees it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JudgeCatalog } from '../judges/catalog';
import { createModelClientFromEnv, MODEL_SETUP_HINT, type Env } from '../llm/fromEnv';
import type { ModelClient } from '../llm/types';
import { parseScenarioFile, type ScenarioFileContext } from '../scenario/load';
import type { WorkspaceConfig } from '../scenario/schema';
import type { Problem } from '../scenario/yamlSource';
import type { Trace } from '../trace/model';
import { TraceStore } from '../trace/store';
import { writeFileAtomic } from '../util/atomicWrite';
import { loadWorkspaceWithJudges } from '../workspace';
import { defaultScenarioId, draftScenarioFromTrace, fixturesFolder, type FailedJudge } from './draftScenario';
import { failedJudgesOfTrace } from './failedJudges';
import { proposeWithModel, type ModelProposal } from './modelProposal';
import { traceExcerpts } from './traceExcerpts';
import { tracesDir } from '../layout';

export class PromoteError extends Error {}

export interface PromoteOptions {
  /** Agent name from costar.yaml; default: the agent of the run that produced the trace, else the only agent. */
  agent?: string;
  id?: string;
  /** Draft with model: fill setup and propose expectations from trace excerpts. */
  withModel?: boolean;
  /** The client to use with `withModel` (default: the one costar.yaml and `env` configure). */
  model?: ModelClient;
  env?: Env;
  signal?: AbortSignal;
}

export interface PromotedDraft {
  scenarioId: string;
  text: string;
  failed: FailedJudge[];
  /** Files the draft's setup references: path relative to the draft file → content. Written by writePromotedDraft. */
  fixtures: Record<string, string>;
  /** With `withModel`: why the model's proposal was not used (the draft is then the plain one). */
  modelFailure?: string;
  /** With `withModel`: what the model proposed that was dropped, and why. */
  dropped: string[];
  /** Where the draft is suggested to be saved (not written). */
  suggestedFile: string;
  /** Warnings of the check (errors throw). */
  problems: Problem[];
}

export async function promoteTrace(workspaceDir: string, traceId: string, options: PromoteOptions = {}): Promise<PromotedDraft> {
  const trace = await new TraceStore(workspaceDir).get(traceId);
  if (!trace) throw new PromoteError(`no trace ${traceId} in ${tracesDir(workspaceDir)}; import production traces with \`costar monitor import\``);
  const { workspace, catalog } = await loadWorkspaceWithJudges(workspaceDir);
  const config = workspace.config;
  if (!config) throw new PromoteError(`${workspace.configFile} is missing or invalid: run \`costar validate\` to see why`);
  const { failed, agent: runAgent } = await failedJudgesOfTrace(workspaceDir, traceId, workspace.scenarios);

  const agents = Object.keys(config.agents).sort();
  const agent = options.agent ?? runAgent ?? (agents.length === 1 ? agents[0] : undefined);
  if (!agent) throw new PromoteError(`name the agent that should run the scenario (--agent NAME); costar.yaml defines: ${agents.join(', ') || '(none)'}`);
  if (!config.agents[agent]) throw new PromoteError(`unknown agent "${agent}"; costar.yaml defines: ${agents.join(', ') || '(none)'}`);

  const scenarioId = options.id ?? defaultScenarioId(traceId);
  const suggestedFile = path.join(workspaceDir, `${scenarioId}.scenario.yaml`);
  const ctx: ScenarioFileContext = { workspaceDir, config, ...(catalog ? { knownJudges: catalog.ids(), judges: catalog } : {}) };
  const modelDraft = options.withModel ? await draftWithModel(trace, failed, { agent, id: scenarioId, suggestedFile, ctx, catalog, config, options }) : undefined;
  const usable = modelDraft && 'text' in modelDraft ? modelDraft : undefined;
  const modelFailure = modelDraft && 'failure' in modelDraft ? modelDraft.failure : undefined;
  const text = usable?.text ?? draftScenarioFromTrace(trace, failed, { agent, id: scenarioId, ...(modelFailure ? { modelFailure } : {}) });
  const checked = usable?.checked ?? parseScenarioFile(text, suggestedFile, ctx);
  const errors = checked.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new PromoteError(`the draft does not validate:\n${errors.map((p) => `  line ${p.line}: ${p.message}`).join('\n')}`);
  const clash = workspace.scenarios.find((s) => s.def.id === scenarioId);
  const problems = checked.problems.slice();
  if (clash) problems.push({ file: suggestedFile, line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'warning', message: `scenario id "${scenarioId}" is already used in ${clash.relFile}; rename it before saving (or pass --id)` });
  return {
    scenarioId,
    text,
    failed,
    fixtures: usable?.fixtures ?? {},
    dropped: usable?.proposal.dropped ?? [],
    ...(modelFailure ? { modelFailure } : {}),
    suggestedFile,
    problems,
  };
}

interface ModelDraftInput {
  agent: string;
  id: string;
  suggestedFile: string;
  ctx: ScenarioFileContext;
  catalog: JudgeCatalog | undefined;
  config: WorkspaceConfig;
  options: PromoteOptions;
}

type ModelDraft = { text: string; fixtures: Record<string, string>; proposal: ModelProposal; checked: ReturnType<typeof parseScenarioFile> } | { failure: string };

/**
 * The model's draft, checked the way `costar run` will load it (its files in place), or why
 * there is none. No model configured is the user's to fix (an error); anything the model gets
 * wrong falls back to the plain draft.
 */
async function draftWithModel(trace: Trace, failed: FailedJudge[], input: ModelDraftInput): Promise<ModelDraft> {
  const client = input.options.model ?? createModelClientFromEnv(input.options.env ?? process.env, input.config.model);
  if (!client) throw new PromoteError(`--with-model needs a model: ${MODEL_SETUP_HINT}`);
  if (!input.catalog) return { failure: 'the judges folder does not load, so proposed expectations cannot be checked: run `costar validate`' };
  let proposal: ModelProposal;
  try {
    proposal = await proposeWithModel(client, traceExcerpts(trace, failed), input.catalog, input.options.signal);
  } catch (error) {
    return { failure: `the model gave no usable answer: ${error instanceof Error ? error.message : String(error)}` };
  }
  const fixturesDir = fixturesFolder(trace.info.traceId);
  const text = draftScenarioFromTrace(trace, failed, { agent: input.agent, id: input.id, proposal, fixturesDir });
  const fixtures = Object.fromEntries(Object.entries(proposal.files).map(([sandboxPath, content]) => [`${fixturesDir}/${sandboxPath}`, content]));
  const checked = await checkWithFixtures(text, fixtures, input.suggestedFile, input.ctx);
  const errors = checked.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) return { failure: `the drafted scenario did not validate: ${errors.map((p) => `line ${p.line}: ${p.message}`).join('; ')}` };
  return { text, fixtures, proposal, checked };
}

/** parseScenarioFile with the draft's setup files present, in a scratch folder (nothing written to the workspace). */
async function checkWithFixtures(text: string, fixtures: Record<string, string>, suggestedFile: string, ctx: ScenarioFileContext): Promise<ReturnType<typeof parseScenarioFile>> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'costar-promote-'));
  try {
    for (const [relative, content] of Object.entries(fixtures)) {
      const file = path.join(scratch, relative);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
    }
    const checked = parseScenarioFile(text, path.join(scratch, path.basename(suggestedFile)), ctx);
    return { ...checked, problems: checked.problems.map((p) => ({ ...p, file: suggestedFile })) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Saves a draft as `file` with its fixtures beside it. Refuses to replace anything that
 * exists: a draft never overwrites what the user wrote.
 */
export async function writePromotedDraft(draft: Pick<PromotedDraft, 'text' | 'fixtures'>, file: string): Promise<void> {
  const dir = path.dirname(file);
  const targets = [file, ...Object.keys(draft.fixtures).map((relative) => path.join(dir, relative))];
  const existing = targets.filter((target) => existsSync(target));
  if (existing.length > 0) throw new PromoteError(`${existing.join(', ')} already exists; choose another --out (or --id)`);
  for (const [relative, content] of Object.entries(draft.fixtures)) await writeFileAtomic(path.join(dir, relative), content);
  await writeFileAtomic(file, draft.text);
}
