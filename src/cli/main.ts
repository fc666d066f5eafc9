/**
 * `costar`: the engine, headless, for CI and terminals.
 */
import { commands } from './commands/index';
import { EXIT, UsageError, type CliCommand, type CliIo } from './command';
import { commandHelp, groupHelp, mainHelp } from './help';
import { version } from '../../package.json';
import { redactUrlCredentials } from '../core/util/redact';

const HELP_FLAGS = new Set(['--help', '-h']);

async function main(argv: string[], io: CliIo): Promise<number> {
  const [first, second, ...rest] = argv;
  if (!first || HELP_FLAGS.has(first)) {
    io.stdout.write(mainHelp(commands));
    return first ? EXIT.ok : EXIT.usage;
  }
  if (first === '--version') {
    io.stdout.write(`${version}\n`);
    return EXIT.ok;
  }
  if (first === 'help') return help(argv.slice(1), io);
  // Nested commands ("trace show", "monitor import") take precedence over single words.
  const nested = second ? commands.find((c) => c.name === `${first} ${second}`) : undefined;
  const command = nested ?? commands.find((c) => c.name === first);
  if (!command) {
    const members = groupMembers(first);
    if (members.length > 0) {
      // `costar trace --help` lists the group; `costar trace` or `costar trace frob` is a usage error.
      const asked = second !== undefined && HELP_FLAGS.has(second);
      if (!asked) io.stderr.write(second ? `costar ${first}: unknown command "${second}"\n\n` : `costar ${first}: name a command\n\n`);
      (asked ? io.stdout : io.stderr).write(groupHelp(first, members));
      return asked ? EXIT.ok : EXIT.usage;
    }
    io.stderr.write(`costar: unknown command "${first}"\n\n${mainHelp(commands)}`);
    return EXIT.usage;
  }
  const args = nested ? rest : argv.slice(1);
  if (args.some((a) => HELP_FLAGS.has(a))) {
    io.stdout.write(commandHelp(command));
    return EXIT.ok;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`costar ${command.name}: ${error.message}\n${error.showUsage ? `Usage: ${command.usage}\nRun \`costar help ${command.name}\` for its options.\n` : ''}`);
      return EXIT.usage;
    }
    io.stderr.write(`costar ${command.name}: ${redactUrlCredentials((error as Error).message)}\n`);
    return EXIT.error;
  }
}

/** `costar help`, `costar help run`, `costar help trace show`, `costar help trace`. */
function help(words: string[], io: CliIo): number {
  if (words.length === 0) {
    io.stdout.write(mainHelp(commands));
    return EXIT.ok;
  }
  const name = words.join(' ');
  const command = commands.find((c) => c.name === name);
  if (command) {
    io.stdout.write(commandHelp(command));
    return EXIT.ok;
  }
  const members = groupMembers(name);
  if (members.length > 0) {
    io.stdout.write(groupHelp(name, members));
    return EXIT.ok;
  }
  io.stderr.write(`costar help: unknown command "${name}"\n\n${mainHelp(commands)}`);
  return EXIT.usage;
}

function groupMembers(group: string): CliCommand[] {
  return commands.filter((c) => c.name.startsWith(`${group} `));
}

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`costar: ${(error as Error).stack ?? error}\n`);
    process.exitCode = EXIT.error;
  },
);
