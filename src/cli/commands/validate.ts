import type { CliCommand } from '../command';
import { EXIT } from '../command';
import { parseCliArgs, resolveWorkspace } from '../args';
import { loadWorkspaceWithJudges } from '../../core/workspace';
import { formatProblem } from '../../core/scenario/yamlSource';

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'Check costar.yaml, scenario and judge files; print every problem as file:line:col',
  usage: 'costar validate [--workspace DIR]',
  async run(args, io) {
    const { values } = parseCliArgs(args, { workspace: { type: 'string', short: 'w' } });
    const workspaceDir = resolveWorkspace(values.workspace, io.cwd);
    const { workspace, problems } = await loadWorkspaceWithJudges(workspaceDir);
    for (const problem of problems) io.stderr.write(`${formatProblem(problem, io.cwd)}\n`);
    const errors = problems.filter((p) => p.severity === 'error').length;
    if (errors > 0) {
      io.stderr.write(`\n${errors} error(s) in ${workspaceDir}\n`);
      return EXIT.usage;
    }
    io.stdout.write(`ok: ${workspace.scenarios.length} scenario(s) in ${workspace.files.length} file(s), ${problems.length} warning(s)\n`);
    return EXIT.ok;
  },
};
