/** One `costar` sub-command. Each lives in its own file under commands/ and is listed in commands/index.ts. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * One option of a command: what node:util parseArgs needs, plus its help. The help of every
 * command is generated from these, so an option cannot exist without its line in `--help`.
 */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** A default parseArgs applies (string options only). */
  default?: string;
  /** Placeholder of the value in help, e.g. DIR, N, ID. */
  arg?: string;
  help: string;
  /** What happens without the option, in words, when that is not `default` (help says "default: …"). */
  otherwise?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface CliCommand {
  /** The word after `costar`, e.g. "run"; may contain a space for nested commands ("trace show"). */
  name: string;
  summary: string;
  /** The synopsis: the command, its positional arguments, `[options]`. */
  usage: string;
  options: OptionSpecs;
  /** Command lines a user can copy, shown under "Examples:" in --help. */
  examples: string[];
  /** Extra help text after the options (exit codes of this command, notes). */
  notes?: string;
  /** Returns the process exit code: 0 ok, 1 failures, 2 config/usage error, 3 errors (see README). */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Bad command-line usage or input: exit code 2, printed with the usage line unless `showUsage` is false. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
  }
}

export const EXIT = { ok: 0, failed: 1, usage: 2, error: 3 } as const;

/** `--workspace`, which every command takes. */
export const WORKSPACE_OPTION = {
  type: 'string',
  short: 'w',
  arg: 'DIR',
  help: 'the workspace folder (the one with costar.yaml)',
  otherwise: 'the nearest folder upwards from the current one with a costar.yaml',
} as const satisfies OptionSpec;

/** `n thing` / `n things`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Keeps the option literals (so parseArgs types the values) while checking them against OptionSpec. */
export function defineOptions<const O extends OptionSpecs>(options: O): O {
  return options;
}
