/** One `costar` sub-command. Each lives in its own file under commands/ and is listed in commands/index.ts. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  /** The word after `costar`, e.g. "run"; may contain a space for nested commands ("trace show"). */
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code: 0 ok, 1 failures, 2 config/usage error, 3 errors (see docs/cli.md). */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Thrown for bad command-line usage: printed with the usage line, exit code 2. */
export class UsageError extends Error {}

export const EXIT = { ok: 0, failed: 1, usage: 2, error: 3 } as const;
