import { promises as fs } from 'node:fs';

/**
 * The names in a folder, sorted. A folder that does not exist yet (nothing stored so far) is
 * empty, and the temp files of in-flight atomic writes (they start with '.') are left out.
 */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((name) => !name.startsWith('.')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** A file's text, or undefined when it does not exist (nothing stored yet); other errors throw. */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * A stored file (trace, report) that could not be read and was left out. Damaged state never
 * blocks a command: readers skip the file, collect one of these, and the front end shows it as
 * a warning that names the file.
 */
export interface SkippedFile {
  file: string;
  reason: string;
}

export function describeSkipped(skipped: SkippedFile): string {
  return `skipped ${skipped.file}: ${skipped.reason}`;
}
