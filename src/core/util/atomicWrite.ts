import { randomBytes } from 'node:crypto';
import { promises as fs, writeFileSync, renameSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Writes a file so that readers see either the old content or the new one, never a half
 * file: write to a temp file in the same folder (same file system), fsync, then rename.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = tempName(file);
  try {
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw writeError(error, file);
  }
}

export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = tempName(file);
  try {
    writeFileSync(temp, data);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw writeError(error, file);
  }
}

/**
 * A full disk (or quota) is something the user can act on: say what was not written, plainly,
 * instead of a raw `ENOSPC: no space left on device, write` with a stack. The old file, if any,
 * is untouched (the temp file was removed).
 */
export function writeError(error: unknown, file: string): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return error;
  const friendly = new Error(`could not write ${file}: disk full (free some space and run again)`) as NodeJS.ErrnoException;
  friendly.code = code;
  return friendly;
}

export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** Temp files start with '.' and end in '.tmp' so that store listings skip them. */
function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}
