import type { CliCommand } from '../command';
import { defineOptions, EXIT, plural, WORKSPACE_OPTION } from '../command';
import { parseCliArgs, resolveWorkspace } from '../args';
import { loadWorkspaceWithJudges } from '../../core/workspace';
import { formatProblem } from '../../core/scenario/yamlSource';

const OPTIONS = defineOptions({ workspace: WORKSPACE_OPTION });

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'Check costar.yaml, scenario and judge files; print every problem as file:line:col',
  usage: 'costar validate [options]',
  options: OPTIONS,
  examples: ['costar validate', 'costar validate --workspace scenarios'],
  notes: 'Exit codes: 0 no errors (warnings may remain), 2 some file has an error.',
  async run(args, io) {
    const { values } = parseCliArgs(args, OPTIONS);
    const workspaceDir = resolveWorkspace(values.workspace, io.cwd);
    const { workspace, problems } = await loadWorkspaceWithJudges(workspaceDir);
    for (const problem of problems) io.stderr.write(`${formatProblem(problem, io.cwd)}\n`);
    const errors = problems.filter((p) => p.severity === 'error').length;
    if (errors > 0) {
      io.stderr.write(`\n${plural(errors, 'error')} in ${workspaceDir}\n`);
      return EXIT.usage;
    }
    io.stdout.write(`ok: ${plural(workspace.scenarios.length, 'scenario')} in ${plural(workspace.files.length, 'file')}, ${plural(problems.length, 'warning')}\n`);
    return EXIT.ok;
  },
};
