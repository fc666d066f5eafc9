import { parseArgs, type ParseArgsConfig } from 'node:util';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { UsageError } from './command';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with its errors turned into usage errors (exit code 2). */
export function parseCliArgs<O extends Options>(args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The workspace folder: --workspace, else the nearest folder upwards holding costar.yaml, else cwd. */
export function resolveWorkspace(flag: string | undefined, cwd: string): string {
  if (flag) {
    const dir = path.resolve(cwd, flag);
    if (!existsSync(dir)) throw new UsageError(`--workspace ${flag}: no such folder`);
    return dir;
  }
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'costar.yaml'))) return dir;
    if (path.dirname(dir) === dir) return cwd;
  }
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
