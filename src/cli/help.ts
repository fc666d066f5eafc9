/** The text of `costar --help`, `costar help CMD` and `costar CMD --help`, generated from each command's options. */
import type { CliCommand, OptionSpec } from './command';

export function mainHelp(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'costar — run, judge and refine AI agents against scenarios',
    '',
    'Usage: costar <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 all passed, 1 some failed, 2 configuration or usage error, 3 some run errored.',
    'Colors follow the terminal; NO_COLOR=1 turns them off, FORCE_COLOR=1 on.',
    'Run `costar help <command>` (or `costar <command> --help`) for its options and examples.',
    '',
  ].join('\n');
}

/** The commands of a group ("trace", "monitor"): what `costar trace --help` lists. */
export function groupHelp(group: string, members: readonly CliCommand[]): string {
  const width = Math.max(...members.map((c) => c.name.length));
  return [
    `costar ${group} — ${members.length} commands:`,
    '',
    ...members.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run \`costar help ${members[0]!.name}\` for its options and examples.`,
    '',
  ].join('\n');
}

export function commandHelp(command: CliCommand): string {
  const rows = Object.entries(command.options).map(([name, spec]) => [flagText(name, spec), describe(spec)] as const);
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `costar ${command.name} — ${command.summary}`,
    '',
    `Usage: ${command.usage}`,
    '',
    'Options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
    '',
    'Examples:',
    ...command.examples.map((e) => `  ${e}`),
    ...(command.notes ? ['', command.notes] : []),
    '',
  ].join('\n');
}

function flagText(name: string, spec: OptionSpec): string {
  const value = spec.type === 'string' ? ` ${spec.arg ?? 'VALUE'}` : '';
  return `${spec.short ? `-${spec.short}, ` : '    '}--${name}${value}`;
}

/** The help line, always ending in the option's default: what happens without it. */
export function describe(spec: OptionSpec): string {
  const fallback = spec.otherwise ?? (spec.default !== undefined ? (spec.default === '' ? 'empty' : spec.default) : spec.type === 'boolean' ? 'off' : undefined);
  return `${spec.help} (default: ${fallback ?? 'none'})`;
}
