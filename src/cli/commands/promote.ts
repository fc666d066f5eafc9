import * as path from 'node:path';
import { existsSync } from 'node:fs';
import type { CliCommand } from '../command';
import { EXIT, UsageError } from '../command';
import { parseCliArgs, resolveWorkspace } from '../args';
import { PromoteError, promoteTrace, writePromotedDraft } from '../../core/promote/promote';

export const promoteCommand: CliCommand = {
  name: 'promote',
  summary: 'Draft a scenario from a stored (failing) trace: prompt from its input, expectations from the judges that failed; --with-model also fills setup',
  usage: 'costar promote TRACE_ID [--out FILE] [--agent NAME] [--id SCENARIO_ID] [--with-model] [--workspace DIR]',
  async run(args, io) {
    const { values, positionals } = parseCliArgs(args, {
      workspace: { type: 'string', short: 'w' },
      out: { type: 'string', short: 'o' },
      agent: { type: 'string' },
      id: { type: 'string' },
      'with-model': { type: 'boolean' },
    }, true);
    const [traceId] = positionals;
    if (!traceId || positionals.length > 1) throw new UsageError('name exactly one trace id');
    // The model's setup files are written beside the draft, so they need a place to go.
    if (values['with-model'] && !values.out) throw new UsageError('--with-model writes setup files beside the draft: name the draft file with --out FILE');
    const workspaceDir = resolveWorkspace(values.workspace, io.cwd);
    const out = values.out ? path.resolve(io.cwd, values.out) : undefined;
    // Said before any model call: a draft never replaces a file the user wrote.
    if (out && existsSync(out)) {
      io.stderr.write(`${out} already exists; choose another --out\n`);
      return EXIT.usage;
    }
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
