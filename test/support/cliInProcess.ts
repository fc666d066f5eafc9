/** Runs one `costar` command in this process with captured output (fast CLI tests without a child process). */
import { PassThrough } from 'node:stream';
import type { CliCommand, CliIo } from '../../src/cli/command';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCommandInProcess(command: CliCommand, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const io: CliIo = { stdout, stderr, cwd, env };
  const code = await command.run(args, io);
  return { code, stdout: out, stderr: err };
}
