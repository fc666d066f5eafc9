import { parseArgs } from 'node:util';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { UsageError, type OptionSpecs } from './command';
import { CONFIG_FILE_NAME } from '../core/scenario/load';
import { isTraceId } from '../core/trace/ids';

/** node:util parseArgs, with its errors turned into usage errors (exit code 2). */
export function parseCliArgs<O extends OptionSpecs>(args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The `values` parseCliArgs returns for these options. */
export type ParsedValues<O extends OptionSpecs> = ReturnType<typeof parseCliArgs<O>>['values'];

/**
 * The workspace folder: --workspace, else the nearest folder upwards holding costar.yaml.
 * Without one the command stops (exit 2): searching a home folder for scenario files, or
 * writing .costar/ into it, is never what the user meant.
 */
export function resolveWorkspace(flag: string | undefined, cwd: string): string {
  if (flag) {
    const dir = path.resolve(cwd, flag);
    if (!existsSync(dir)) throw new UsageError(`--workspace ${flag}: no such folder`);
    if (!existsSync(path.join(dir, CONFIG_FILE_NAME))) throw new UsageError(`--workspace ${flag}: no ${CONFIG_FILE_NAME} in ${dir}; create one there with: costar init --workspace ${flag}`, false);
    return dir;
  }
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, CONFIG_FILE_NAME))) return dir;
    if (path.dirname(dir) === dir) {
      throw new UsageError(`no ${CONFIG_FILE_NAME} in ${cwd} or any folder above it: create one with \`costar init\`, or name the workspace with --workspace DIR`, false);
    }
  }
}

/** A trace id as the CLI prints it, or MLflow's "tr-" form, in any case; anything else is a usage error (exit 2). */
export function traceIdArg(given: string, what = 'trace id'): string {
  const id = given.replace(/^tr-/i, '').toLowerCase();
  if (!isTraceId(id)) throw new UsageError(`"${given}" is not a ${what} (32 hex digits, as \`costar run\` prints them); list the stored ones with: ls .costar/traces`);
  return id;
}

export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} expects a positive whole number, got "${value}"`);
  return n;
}

/** dist/harness.js beside the running CLI bundle. */
export function harnessPath(): string {
  return path.join(__dirname, 'harness.js');
}
