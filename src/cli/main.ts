/**
 * `costar`: the engine, headless, for CI and terminals.
 */
import { commands } from './commands/index';
import { EXIT, UsageError, type CliIo } from './command';
import { version } from '../../package.json';
import { redactUrlCredentials } from '../core/util/redact';

async function main(argv: string[], io: CliIo): Promise<number> {
  const [first, second, ...rest] = argv;
  if (!first || first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(helpText());
    return first ? EXIT.ok : EXIT.usage;
  }
  if (first === '--version') {
    io.stdout.write(`${version}\n`);
    return EXIT.ok;
  }
  // Nested commands ("trace show", "monitor import") take precedence over single words.
  const nested = second ? commands.find((c) => c.name === `${first} ${second}`) : undefined;
  const command = nested ?? commands.find((c) => c.name === first);
  if (!command) {
    io.stderr.write(`costar: unknown command "${first}"\n\n${helpText()}`);
    return EXIT.usage;
  }
  const args = nested ? rest : argv.slice(1);
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`costar ${command.name}: ${error.message}\nUsage: ${command.usage}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`costar ${command.name}: ${redactUrlCredentials((error as Error).message)}\n`);
    return EXIT.error;
  }
}

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'costar — run, judge and refine AI agents against scenarios',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 all passed, 1 some failed, 2 configuration or usage error, 3 some run errored.',
    'Run `costar <command> --help` for a command\'s options.',
    '',
  ].join('\n');
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
