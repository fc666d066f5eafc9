import * as path from 'node:path';
import { existsSync } from 'node:fs';
import type { CliCommand } from '../command';
import { defineOptions, EXIT, UsageError, WORKSPACE_OPTION } from '../command';
import { parseCliArgs, resolveWorkspace, traceIdArg } from '../args';
import { PromoteError, promoteTrace, writePromotedDraft } from '../../core/promote/promote';
import { warnUnapprovedKeyEnv } from '../modelKey';

const OPTIONS = defineOptions({
  out: { type: 'string', short: 'o', arg: 'FILE', help: 'write the draft to FILE (never over an existing file)', otherwise: 'print the draft to stdout' },
  agent: { type: 'string', arg: 'NAME', help: 'the agent the scenario runs', otherwise: "the agent of the run that produced the trace, else the only agent of costar.yaml" },
  id: { type: 'string', arg: 'SCENARIO_ID', help: 'the new scenario id', otherwise: 'promoted-<first 8 hex digits of the trace id>' },
  'with-model': { type: 'boolean', help: "let the model propose the setup files and expectations (needs --out and a model)" },
  workspace: WORKSPACE_OPTION,
});

export const promoteCommand: CliCommand = {
  name: 'promote',
  summary: 'Draft a scenario from a stored (failing) trace: prompt from its input, expectations from the judges that failed; --with-model also fills setup',
  usage: 'costar promote TRACE_ID [options]',
  options: OPTIONS,
  examples: ['costar promote 0af7651916cd43dd8448eb211c80319c', 'costar promote 0af7651916cd43dd8448eb211c80319c --with-model --out suites/regression.scenario.yaml'],
  async run(args, io) {
    const { values, positionals } = parseCliArgs(args, OPTIONS, true);
    if (positionals.length !== 1) throw new UsageError('name exactly one trace id');
    const traceId = traceIdArg(positionals[0]!);
    // The model's setup files are written beside the draft, so they need a place to go.
    if (values['with-model'] && !values.out) throw new UsageError('--with-model writes setup files beside the draft: name the draft file with --out FILE');
    const workspaceDir = resolveWorkspace(values.workspace, io.cwd);
    const out = values.out ? path.resolve(io.cwd, values.out) : undefined;
    // Said before any model call: a draft never replaces a file the user wrote.
    if (out && existsSync(out)) {
      io.stderr.write(`${out} already exists; choose another --out\n`);
      return EXIT.usage;
    }
    if (values['with-model']) await warnUnapprovedKeyEnv(io, workspaceDir);
    let draft;
    try {
      draft = await promoteTrace(workspaceDir, traceId, {
        ...(values.agent ? { agent: values.agent } : {}),
        ...(values.id ? { id: values.id } : {}),
        ...(values['with-model'] ? { withModel: true, env: io.env } : {}),
      });
    } catch (error) {
      if (!(error instanceof PromoteError)) throw error;
      io.stderr.write(`${error.message}\n`);
      return EXIT.usage;
    }
    for (const p of draft.problems) io.stderr.write(`warning: ${p.message}\n`);
    if (draft.modelFailure) io.stderr.write(`warning: ${draft.modelFailure}; wrote the draft without the model's proposal\n`);
    for (const reason of draft.dropped) io.stderr.write(`warning: dropped from the model's proposal: ${reason}\n`);
    if (!out) {
      io.stdout.write(draft.text);
      return EXIT.ok;
    }
    if (!out.endsWith('.scenario.yaml')) io.stderr.write(`warning: ${out} does not end in .scenario.yaml, so costar will not discover it\n`);
    try {
      await writePromotedDraft(draft, out);
    } catch (error) {
      if (!(error instanceof PromoteError)) throw error;
      io.stderr.write(`${error.message}\n`);
      return EXIT.usage;
    }
    const fixtures = Object.keys(draft.fixtures).length;
    const setupNote = fixtures > 0 ? ` and ${fixtures} setup files under ${path.dirname(out)}; check its setup` : '; complete its setup';
    io.stdout.write(`wrote scenario "${draft.scenarioId}" (${draft.failed.length} failed judges as expectations) to ${out}${setupNote} before running it\n`);
    return EXIT.ok;
  },
};
