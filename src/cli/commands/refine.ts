/**
 * `costar refine`: asks the coding assistant for a fix of an agent's failing scenarios and
 * writes it as a unified diff, without applying it (for review bots and `git apply`).
 * `--feedback REF` makes it another round: REF is a refinement id (its rejected hunks and
 * re-run) or a file — a refinement record, or a patch of the hunks a reviewer rejected.
 * `--verify` tries the patch first in a scratch copy of the workspace (core/refine/trial.ts):
 * the targeted scenarios, the suite and the held-out scenarios run there, and a patch that
 * turns a passing or held-out scenario red is flagged.
 * Exit codes: 0 a patch was produced (and, with --verify, breaks nothing); 1 the assistant
 * proposed no change, or --verify flagged the patch (it is still written, for review); 2 usage
 * or configuration problem (no model configured, unknown agent, nothing failing); 3 the
 * assistant could not finish (model unreachable, cancelled).
 */
import * as path from 'node:path';
import type { CliCommand, CliIo } from '../command';
import { defineOptions, EXIT, UsageError, WORKSPACE_OPTION } from '../command';
import { harnessPath, parseCliArgs, positiveInt, resolveWorkspace } from '../args';
import { createModelClientFromEnv, MODEL_SETUP_HINT } from '../../core/llm/fromEnv';
import { ModelError } from '../../core/llm/types';
import { loadConfig } from '../../core/scenario/load';
import { warnUnapprovedKeyEnv } from '../modelKey';
import { resolveFeedback, type RoundFeedback } from '../../core/refine/feedback';
import { changeSetToPatch, repoPathPrefix } from '../../core/refine/patch';
import { findRepoRoot } from '../../core/util/repoRoot';
import { trialRefinement } from '../../core/refine/trial';
import { formatVerification, hasRegressions } from '../../core/refine/verify';
import { proposeRefinement } from '../../core/refine/refine';
import { writeFileAtomic } from '../../core/util/atomicWrite';

const OPTIONS = defineOptions({
  agent: { type: 'string', short: 'a', arg: 'NAME', help: 'the agent of costar.yaml to fix (required)', otherwise: 'none: the option is required' },
  scenario: { type: 'string', multiple: true, arg: 'ID', help: 'only these failing scenarios (repeatable)', otherwise: "every failing scenario of the agent" },
  run: { type: 'string', arg: 'ID|latest', help: 'the run whose failures are fixed', default: 'latest' },
  out: { type: 'string', short: 'o', arg: 'FILE', help: 'write the patch to FILE (- for stdout)', otherwise: 'stdout' },
  feedback: { type: 'string', arg: 'ID|FILE', help: 'another round: a refinement id, its record, or a patch of the rejected hunks', otherwise: 'a first round' },
  'max-steps': { type: 'string', arg: 'N', help: 'most assistant steps', otherwise: '24' },
  'max-tokens': { type: 'string', arg: 'N', help: 'most model tokens', otherwise: '400000' },
  verify: { type: 'boolean', help: 'try the patch in a scratch copy first: refined scenarios, the suite and held-out scenarios (exit 1 when it breaks one)' },
  workspace: WORKSPACE_OPTION,
});

export const refineCommand: CliCommand = {
  name: 'refine',
  summary: "Propose a fix of an agent's failing scenarios as a patch (nothing is applied)",
  usage: 'costar refine --agent NAME [options]',
  options: OPTIONS,
  examples: ['costar refine --agent analyst --out change.patch', 'costar refine --agent analyst --verify --out change.patch', 'costar refine --agent analyst --feedback rejected.patch --out round2.patch'],
  notes: 'Exit codes: 0 a patch was produced (with --verify: and breaks nothing), 1 no change proposed or --verify flagged it, 2 usage or configuration problem, 3 the assistant could not finish.',
  run: refine,
};

async function refine(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCliArgs(args, OPTIONS);
  const agent = values.agent as string | undefined;
  if (!agent) throw new UsageError('--agent NAME is required (an agent of costar.yaml)');
  const workspaceDir = resolveWorkspace(values.workspace as string | undefined, io.cwd);
  const maxSteps = positiveInt(values['max-steps'] as string | undefined, '--max-steps');
  const maxTokens = positiveInt(values['max-tokens'] as string | undefined, '--max-tokens');

  const { config } = await loadConfig(workspaceDir);
  let feedback: RoundFeedback | undefined;
  if (values.feedback !== undefined) {
    try {
      feedback = await resolveFeedback(workspaceDir, values.feedback as string, io.cwd);
    } catch (error) {
      io.stderr.write(`costar refine: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
  }
  await warnUnapprovedKeyEnv(io, workspaceDir);
  const model = createModelClientFromEnv(io.env, config?.model);
  if (!model) {
    io.stderr.write(`costar refine needs a model: ${MODEL_SETUP_HINT}\n`);
    return EXIT.usage;
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  let proposal;
  try {
    proposal = await proposeRefinement({
      workspaceDir,
      agent,
      model,
      ...(values.scenario ? { scenarioIds: values.scenario as string[] } : {}),
      ...(values.run ? { runId: values.run as string } : {}),
      ...(feedback ? { feedback: feedback.text } : {}),
      ...(feedback?.previousRefinementId ? { previousRefinementId: feedback.previousRefinementId } : {}),
      ...(feedback?.round ? { round: feedback.round } : {}),
      budget: { ...(maxSteps ? { maxSteps } : {}), ...(maxTokens ? { maxTokens } : {}) },
      signal: abort.signal,
      onStep: (step) => {
        for (const call of step.toolCalls) io.stderr.write(`  ${call.name}${call.error ? ` — refused: ${call.error}` : ''}\n`);
      },
    });
  } catch (error) {
    if (error instanceof ModelError) {
      io.stderr.write(`costar refine: the assistant could not finish: ${error.message}\n`);
      return EXIT.error;
    }
    // Everything else is about the workspace or the arguments (unknown agent, no run, nothing failing).
    io.stderr.write(`costar refine: ${(error as Error).message}\n`);
    return EXIT.usage;
  } finally {
    process.off('SIGINT', onSignal);
  }
  const { record, historyFile } = proposal;
  const relHistory = path.relative(io.cwd, historyFile);
  io.stderr.write(`refined ${record.scenarioIds.join(', ')} (run ${record.fromRunId}): ${record.usage.steps} steps, ${record.usage.inputTokens + record.usage.outputTokens} tokens, ${record.stopReason}\n`);
  if (record.summary) io.stderr.write(`${record.summary}\n`);
  if (record.proposal.length === 0) {
    io.stderr.write(`the assistant proposed no change; history: ${relHistory}\n`);
    return EXIT.failed;
  }
  // Paths relative to the git repository when the workspace is inside one: `git apply` then
  // works from the repository root and from the workspace folder alike.
  const patch = changeSetToPatch({ files: record.proposal, summary: record.summary }, { pathPrefix: repoPathPrefix(workspaceDir, findRepoRoot(workspaceDir)) });
  const out = values.out as string | undefined;
  if (out && out !== '-') {
    await writeFileAtomic(path.resolve(io.cwd, out), patch);
    io.stderr.write(`wrote ${out}: ${record.proposal.map((f) => f.path).join(', ')} (not applied; history: ${relHistory})\n`);
  } else {
    io.stdout.write(patch);
  }
  if (!values.verify) return EXIT.ok;
  io.stderr.write('trying the patch in a scratch copy of the workspace: refined scenarios, the suite, held-out scenarios…\n');
  const sourceFolders = config?.agents[agent]?.source ?? [];
  let trial;
  try {
    trial = await trialRefinement({
      workspaceDir, refinementId: record.id, sourceFolders, changeSet: { files: record.proposal, summary: record.summary },
      before: proposal.before, targeted: record.scenarioIds, harnessPath: harnessPath(), env: io.env,
      onPhase: (phase, runId) => io.stderr.write(`  ${phase} run ${runId}\n`),
    });
  } catch (error) {
    io.stderr.write(`costar refine: the trial run could not finish: ${(error as Error).message}\n`);
    return EXIT.error;
  }
  const { summary } = trial;
  io.stderr.write(`${formatVerification(summary)}\n`);
  for (const red of [...summary.newlyFailing, ...(summary.heldOut?.newlyFailing ?? [])]) io.stderr.write(`  ✗ ${red.id} (${red.file}:${red.line}) now fails: ${red.rationale ?? red.after}\n`);
  if (hasRegressions(summary)) {
    io.stderr.write('the patch is flagged: it turns a scenario red that passed before; review it before applying\n');
    return EXIT.failed;
  }
  return EXIT.ok;
}
