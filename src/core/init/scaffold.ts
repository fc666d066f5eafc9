/**
 * The files `costar init` (and "coSTAR: Create Workspace") writes into a user's repository: a
 * commented costar.yaml for their agent, a first scenario with two deterministic expectations,
 * and `.costar/` in .gitignore. Nothing the user wrote is overwritten: when a file is there
 * already, nothing at all is written and the caller says which.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse as parseShell } from 'shell-quote';
import { writeFileAtomic } from '../util/atomicWrite';
import { readTextIfExists } from '../util/files';
import { CONFIG_FILE_NAME } from '../scenario/load';

export const FIRST_SCENARIO_FILE = 'costar/first.scenario.yaml';
const GITIGNORE_LINE = '.costar/';

export interface InitAgent {
  name: string;
  command: string[];
  source: string[];
  /** Where the command came from, written as a comment: 'package.json "bin"', 'given with --agent-command'. */
  from: string;
}

export interface InitResult {
  /** Files created, relative to the workspace. */
  created: string[];
  gitignore: 'created' | 'appended' | 'already there';
}

/** Some file init would create exists: nothing was written. */
export class InitConflict extends Error {
  constructor(readonly existing: string[]) {
    super(`${existing.join(' and ')} already ${existing.length > 1 ? 'exist' : 'exists'}; nothing was written (init never overwrites a file)`);
  }
}

/** A command line as the user types it → argv. The agent runs without a shell, so shell syntax is refused. */
export function splitCommand(text: string): string[] {
  const parts = parseShell(text);
  const operator = parts.find((p) => typeof p !== 'string');
  if (operator !== undefined) {
    const shown = 'op' in operator ? operator.op : 'pattern' in operator ? operator.pattern : '#';
    throw new Error(`the agent runs without a shell, so "${shown}" cannot be used in its command: put the pipeline in a script and name the script`);
  }
  const argv = parts as string[];
  if (argv.length === 0) throw new Error('the agent command is empty: name the program that starts your agent, e.g. "python agent.py"');
  return argv;
}

export function configText(agent: InitAgent): string {
  const source = agent.source.length > 0 ? `    source: ${JSON.stringify(agent.source)}` : '    # source: [src]';
  return `# coSTAR workspace: the agent under test and the defaults of every scenario.
# Check it with \`costar validate\`; run the scenarios with \`costar run\` (or VS Code's Test Explorer).

agents:
  ${agent.name}:
    # How to start the agent: an argv list, run without a shell. Each scenario runs it in a
    # fresh sandbox folder (under .costar/) with the prompt on stdin and in COSTAR_PROMPT.
    # Arguments naming a file of this folder are made absolute. (${agent.from})
    command: ${JSON.stringify(agent.command)}
    # Folders "Refine agent" may edit to fix a failing scenario.
${source}
    # Environment for the agent (never secrets: they come from your environment).
    env: {}

# Where scenario files (*.scenario.yaml) are looked for.
scenarios: [costar]

defaults:
  # A scenario taking longer than this is an error (the agent is stopped).
  timeout: 60s
  # Scenarios running at once.
  concurrency: 4
`;
}

export function firstScenarioText(): string {
  return `# A first scenario: a task for the agent and what must hold afterwards. Each expectation is
# a judge; these two are deterministic checks that need no model. Give it a real task, files
# to start from (setup.files) and checks of what your agent should produce: docs/scenario-files.md.
scenarios:
  - id: first-scenario
    description: The agent answers a simple request, and no tool call fails.
    # setup:
    #   files: { data/input.csv: fixtures/input.csv }   # copied into the sandbox first
    prompt: Say hello, and describe in one sentence what you can do.
    expectations:
      # The final output (what the agent printed, or the output it reported) is not empty.
      - judge: regex
        name: answers something
        with: { in: output, pattern: '\\S' }
      # No traced tool call ended in an error (an agent that reports no spans passes).
      - judge: max-tool-errors
        name: no tool call fails
        with: { max: 0 }
`;
}

/** The files init creates, relative to the workspace. */
export function initFiles(agent: InitAgent): Record<string, string> {
  return { [CONFIG_FILE_NAME]: configText(agent), [FIRST_SCENARIO_FILE]: firstScenarioText() };
}

export async function writeInit(workspaceDir: string, agent: InitAgent): Promise<InitResult> {
  const files = initFiles(agent);
  const existing = Object.keys(files).filter((rel) => existsSync(path.join(workspaceDir, rel)));
  if (existing.length > 0) throw new InitConflict(existing);
  const created: string[] = [];
  for (const [rel, text] of Object.entries(files)) {
    await createNewFile(path.join(workspaceDir, rel), text);
    created.push(rel);
  }
  return { created, gitignore: await ignoreState(workspaceDir) };
}

/**
 * Written whole or not at all, and never over a file that appeared meanwhile: a temp file is
 * hard-linked to the name, which fails when the name exists.
 */
async function createNewFile(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  await fs.writeFile(temp, text, { flag: 'wx' });
  try {
    await fs.link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new InitConflict([path.basename(file)]);
    throw error;
  } finally {
    await fs.rm(temp, { force: true });
  }
}

/** `.costar/` in .gitignore: the file is created when missing, the line added once. */
async function ignoreState(workspaceDir: string): Promise<InitResult['gitignore']> {
  const file = path.join(workspaceDir, '.gitignore');
  const text = await readTextIfExists(file);
  if (text !== undefined && text.split(/\r?\n/).some((line) => /^\/?\.costar\/?$/.test(line.trim()))) return 'already there';
  const eol = text?.includes('\r\n') ? '\r\n' : '\n';
  const lines = `# coSTAR run state: traces, reports, sandboxes${eol}${GITIGNORE_LINE}${eol}`;
  if (text === undefined) {
    await writeFileAtomic(file, lines);
    return 'created';
  }
  const separator = text === '' || text.endsWith('\n') ? '' : eol;
  await writeFileAtomic(file, `${text}${separator}${lines}`);
  return 'appended';
}
