import type { CliCommand, CliIo } from '../command';
import { defineOptions, EXIT, UsageError, WORKSPACE_OPTION } from '../command';
import { parseCliArgs, positiveInt, resolveWorkspace } from '../args';
import { acceptAlignment, alignJudge, AlignmentRefused, type AlignMethod, type AlignResult } from '../../core/golden/align/align';
import { BudgetExhausted } from '../../core/golden/align/budget';
import { endpointEmbedder } from '../../core/golden/align/embeddings';
import { GoldenSetupError, goldenModelClient, loadGoldenJudge } from '../../core/golden/goldenWorkspace';
import type { KappaResult } from '../../core/golden/kappa';
import { MODEL_SETUP_HINT } from '../../core/llm/fromEnv';
import { warnUnapprovedKeyEnv } from '../modelKey';

const OPTIONS = defineOptions({
  method: { type: 'string', default: 'memory', arg: 'memory|instructions', help: 'memory: guidelines and retrieved examples; instructions: rewrite the judge instructions' },
  budget: { type: 'string', arg: 'CALLS', help: 'most model calls the alignment may make', otherwise: '5 per labelled trace, at least 200' },
  seed: { type: 'string', arg: 'TEXT', help: 'seed of the train/held-out split', default: 'costar' },
  k: { type: 'string', arg: 'N', help: 'similar labelled examples retrieved per trace (memory)', otherwise: '3' },
  write: { type: 'boolean', help: 'write the offered judge version (and its memory) into the workspace' },
  json: { type: 'boolean', help: 'print the result as JSON' },
  workspace: WORKSPACE_OPTION,
});

export const alignCommand: CliCommand = {
  name: 'align',
  summary: 'Align an LLM judge with its golden set (memory or instructions); offers a new judge version only if held-out κ improves',
  usage: 'costar align JUDGE [options]',
  options: OPTIONS,
  examples: ['costar align answer-quality', 'costar align answer-quality --method instructions --budget 200 --write'],
  notes: 'Exit codes: 0 a new version is offered (written with --write), 1 no improvement, nothing offered, 2 not enough labels or setup problem.',
  async run(args, io) {
    const { values, positionals } = parseCliArgs(args, OPTIONS, true);
    if (positionals.length !== 1) throw new UsageError('name exactly one judge: costar align JUDGE');
    const method = values.method as string;
    if (method !== 'memory' && method !== 'instructions') throw new UsageError(`--method expects memory or instructions, got "${method}"`);
    const workspaceDir = resolveWorkspace(values.workspace, io.cwd);
    await warnUnapprovedKeyEnv(io, workspaceDir);
    try {
      const golden = await loadGoldenJudge(workspaceDir, positionals[0]!);
      for (const warning of golden.warnings) io.stderr.write(`warning: ${warning}\n`);
      const model = goldenModelClient(workspaceDir, io.env, golden.config);
      if (!model) {
        io.stderr.write(`cannot align: ${MODEL_SETUP_HINT}\n`);
        return EXIT.usage;
      }
      let embed;
      if (method === 'memory') {
        const probe = await endpointEmbedder(io.env, golden.config.model);
        if (!values.json) io.stderr.write(`${probe.note}\n`);
        embed = probe.embed;
      }
      const result = await alignJudge({
        workspaceDir,
        judge: golden.judge,
        labels: golden.labels,
        cases: golden.cases,
        method: method as AlignMethod,
        model,
        ...(values.budget ? { budget: positiveInt(values.budget, '--budget')! } : {}),
        ...(values.seed ? { seed: values.seed } : {}),
        ...(values.k ? { k: positiveInt(values.k, '--k')! } : {}),
        ...(embed ? { embed } : {}),
      });
      const written = values.write && result.offered ? await acceptAlignment(workspaceDir, result) : [];
      if (values.json) io.stdout.write(`${JSON.stringify({ ...result, written }, null, 2)}\n`);
      else printResult(io, result, written, Boolean(values.write));
      return result.offered ? EXIT.ok : EXIT.failed;
    } catch (error) {
      if (error instanceof AlignmentRefused || error instanceof GoldenSetupError) {
        io.stderr.write(`${error.message}\n`);
        return EXIT.usage;
      }
      if (error instanceof BudgetExhausted) {
        io.stderr.write(`${error.message} before the before/after comparison was complete: raise --budget\n`);
        return EXIT.usage;
      }
      throw error;
    }
  },
};

function printResult(io: CliIo, r: AlignResult, written: string[], write: boolean): void {
  const out = (line = '') => io.stdout.write(`${line}\n`);
  out(`align ${r.judgeId} --method ${r.method}: ${r.split.train} train${r.split.validation !== undefined ? `, ${r.split.validation} validation` : ''}, ${r.split.heldOut} held-out labelled traces; ${r.modelCalls} model calls`);
  out(`  held-out before: ${agreement(r.before)}`);
  out(`  held-out after:  ${agreement(r.after)}`);
  if (r.afterWithExamples) out(`  held-out after, with ${r.retrieval} retrieval of similar labelled examples: ${agreement(r.afterWithExamples)}`);
  if (r.stop) out(`  search stopped: ${r.stop}`);
  for (const g of r.guidelines ?? []) out(`  guideline: ${g.text} (from ${g.sources.length} trace${g.sources.length === 1 ? '' : 's'})`);
  for (const g of r.unlearned ?? []) out(`  unlearned (its labels are gone): ${g.text}`);
  out(r.summary);
  if (r.proposal) {
    out();
    io.stdout.write(r.proposal.diff);
    out();
    out(write ? `written: ${written.join(', ')}` : 'to accept it: run again with --write (or apply the diff above)');
  }
}

function agreement(r: KappaResult): string {
  const kappa = r.kappa === null ? `κ – (${r.note})` : `κ ${r.kappa.toFixed(3)}${r.ci ? ` [${r.ci[0].toFixed(2)}, ${r.ci[1].toFixed(2)}]` : ''}`;
  return `${kappa}, accuracy ${r.accuracy === null ? '–' : `${(r.accuracy * 100).toFixed(1)} %`} (n ${r.n})`;
}
