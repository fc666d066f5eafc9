/**
 * `costar init`: a workspace in the user's own repository, for their own agent. The command
 * is detected (Node or Python project) or given with --agent-command; the new workspace is
 * validated before init says it is done.
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { CliCommand } from '../command';
import { defineOptions, EXIT, UsageError } from '../command';
import { parseCliArgs } from '../args';
import { agentName, detectAgents } from '../../core/init/detectAgent';
import { InitConflict, splitCommand, writeInit, type InitAgent } from '../../core/init/scaffold';
import { loadWorkspaceWithJudges } from '../../core/workspace';
import { formatProblem } from '../../core/scenario/yamlSource';

const OPTIONS = defineOptions({
  'agent-command': {
    type: 'string',
    arg: 'CMD',
    help: 'the command that starts your agent, e.g. "python agent.py" (run without a shell)',
    otherwise: 'detected: package.json "bin", "scripts.start" or "main"; main.py, agent.py, app.py or a package with __main__.py',
  },
  name: { type: 'string', arg: 'NAME', help: 'the agent\'s name in costar.yaml', otherwise: 'the project\'s name, else the folder\'s' },
  workspace: { type: 'string', short: 'w', arg: 'DIR', help: 'the folder to create the workspace in (your repository)', otherwise: 'the current folder' },
});

export const initCommand: CliCommand = {
  name: 'init',
  summary: 'Create a workspace in your repository: costar.yaml for your agent, a first scenario, .costar/ in .gitignore',
  usage: 'costar init [options]',
  options: OPTIONS,
  examples: ['costar init', 'costar init --agent-command "python -m my_agent"', 'costar init --workspace ../my-agent --name support-bot'],
  notes: 'Exit codes: 0 created (and valid), 2 a file exists already (nothing written), no agent found, or a bad --agent-command.',
  async run(args, io) {
    const { values } = parseCliArgs(args, OPTIONS);
    const dir = path.resolve(io.cwd, values.workspace ?? '.');
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--workspace ${values.workspace}: no such folder`, false);
    const agent = chooseAgent(dir, values['agent-command'], values.name);
    let result;
    try {
      result = await writeInit(dir, agent);
    } catch (error) {
      if (!(error instanceof InitConflict)) throw error;
      io.stderr.write(`costar init: ${error.message} in ${dir}\n`);
      return EXIT.usage;
    }
    const rel = (p: string) => path.relative(io.cwd, path.join(dir, p)) || p;
    const lines = [`Created a coSTAR workspace in ${dir} for agent "${agent.name}": ${agent.command.join(' ')} (${agent.from})`];
    for (const file of result.created) lines.push(`  ${rel(file)}`);
    lines.push(`  ${rel('.gitignore')}: ${result.gitignore === 'already there' ? '.costar/ was already ignored' : `.costar/ ${result.gitignore === 'created' ? 'ignored (new file)' : 'added'} — run state: traces, reports, sandboxes`}`);
    // What init promises: the workspace it wrote is valid. Said here, not discovered at `costar run`.
    const { problems } = await loadWorkspaceWithJudges(dir);
    for (const problem of problems) io.stderr.write(`${formatProblem(problem, io.cwd)}\n`);
    const at = values.workspace ? ` --workspace ${values.workspace}` : '';
    lines.push('', 'Next:', `  costar validate${at}     check the files after you edit them`, `  costar run${at}          run the scenario: the agent starts in a sandbox`, `  then give ${rel('costar/first.scenario.yaml')} a real task and checks (see docs/scenario-files.md)`);
    io.stdout.write(`${lines.join('\n')}\n`);
    return problems.some((p) => p.severity === 'error') ? EXIT.usage : EXIT.ok;
  },
};

function chooseAgent(dir: string, commandText: string | undefined, name: string | undefined): InitAgent {
  if (name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new UsageError(`--name ${JSON.stringify(name)}: expected letters, digits, ".", "_" or "-", starting with a letter or digit`);
  if (commandText !== undefined) {
    let command;
    try {
      command = splitCommand(commandText);
    } catch (error) {
      throw new UsageError(`--agent-command: ${(error as Error).message}`);
    }
    const detected = detectAgents(dir).candidates[0];
    return { name: name ?? detected?.name ?? agentName(undefined, dir), command, source: detected?.source ?? [], from: 'given with --agent-command' };
  }
  const { candidates, notes } = detectAgents(dir);
  if (candidates.length === 1) {
    const found = candidates[0]!;
    return { name: name ?? found.name, command: found.command, source: found.source, from: `detected from ${found.from}` };
  }
  if (candidates.length > 1) {
    const listed = candidates.map((c) => `  ${c.kind}: ${c.command.join(' ')}   (${c.from})`).join('\n');
    throw new UsageError(`found more than one agent; choose with --agent-command:\n${listed}`, false);
  }
  const why = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  throw new UsageError(
    `no Node or Python agent found in ${dir}${why}: name the command that starts it, e.g. costar init --agent-command "python agent.py"`,
    false,
  );
}
