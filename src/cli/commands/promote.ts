import * as path from 'node:path';
import { existsSync } from 'node:fs';
import type { CliCommand } from '../command';
import { EXIT, UsageError } from '../command';
import { parseCliArgs, resolveWorkspace } from '../args';
import { PromoteError, promoteTrace } from '../../core/promote/promote';
import { writeFileAtomic } from '../../core/util/atomicWrite';

export const promoteCommand: CliCommand = {
  name: 'promote',
  summary: 'Draft a scenario from a stored (failing) trace: prompt from its input, expectations from the judges that failed',
  usage: 'costar promote TRACE_ID [--out FILE] [--agent NAME] [--id SCENARIO_ID] [--workspace DIR]',
  async run(args, io) {
    const { values, positionals } = parseCliArgs(args, {
      workspace: { type: 'string', short: 'w' },
      out: { type: 'string', short: 'o' },
      agent: { type: 'string' },
      id: { type: 'string' },
    }, true);
    const [traceId] = positionals;
    if (!traceId || positionals.length > 1) throw new UsageError('name exactly one trace id');
    const workspaceDir = resolveWorkspace(values.workspace, io.cwd);
    let draft;
    try {
      draft = await promoteTrace(workspaceDir, traceId, { ...(values.agent ? { agent: values.agent } : {}), ...(values.id ? { id: values.id } : {}) });
    } catch (error) {
      if (!(error instanceof PromoteError)) throw error;
      io.stderr.write(`${error.message}\n`);
      return EXIT.usage;
    }
    for (const p of draft.problems) io.stderr.write(`warning: ${p.message}\n`);
    if (!values.out) {
      io.stdout.write(draft.text);
      return EXIT.ok;
    }
    const out = path.resolve(io.cwd, values.out);
    // A draft never replaces a file the user wrote.
    if (existsSync(out)) {
      io.stderr.write(`${out} already exists; choose another --out\n`);
      return EXIT.usage;
    }
    if (!out.endsWith('.scenario.yaml')) io.stderr.write(`warning: ${out} does not end in .scenario.yaml, so costar will not discover it\n`);
    await writeFileAtomic(out, draft.text);
    io.stdout.write(`wrote scenario "${draft.scenarioId}" (${draft.failed.length} failed judges as expectations) to ${out}; complete its setup before running it\n`);
    return EXIT.ok;
  },
};
