/**
 * Reads a file a user (or a cloned repository) put in the workspace: costar.yaml, scenario and
 * judge files, JSON schemas. Such a path can be anything — a FIFO that blocks forever, a
 * symlink to /dev/urandom or /dev/zero that never ends, a directory, a symlink loop — and these
 * loaders also run in untrusted workspaces. So: only regular files, up to a size cap, and an
 * error that says which file and why, never a hang or a bare EISDIR.
 */
import { constants, promises as fs } from 'node:fs';

/** Far more than any hand-written YAML; a scenario that needs more should reference a fixture file. */
export const USER_FILE_MAX_BYTES = 4 * 1024 * 1024;

/** Why a user file could not be read; `message` is meant for the user and names no file (the caller does). */
export class UserFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * The text of a regular file, without a leading UTF-8 byte-order mark (editors on Windows write
 * one). Throws UserFileError for anything else.
 */
export async function readUserFile(file: string, maxBytes = USER_FILE_MAX_BYTES): Promise<string> {
  let handle: fs.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would otherwise block until one appears.
    // It changes nothing for regular files, which are all this function goes on to read.
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new UserFileError(file, openFailure(error as NodeJS.ErrnoException), (error as NodeJS.ErrnoException).code);
  }
  try {
    // fstat of the open handle, not stat of the path: the file checked is the file read.
    const stats = await handle.stat();
    if (!stats.isFile()) throw new UserFileError(file, `it is ${kindOf(stats)}, not a regular file`, 'ENOTREG');
    if (stats.size > maxBytes) throw new UserFileError(file, `it is ${formatBytes(stats.size)}, more than the ${formatBytes(maxBytes)} a file like this may have`, 'EFBIG');
    // Read until the end, but never more than one chunk past the cap: the size stat reports can
    // be wrong (procfs says 0) or stale (the file grows while it is read).
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, length);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > maxBytes) throw new UserFileError(file, `it grew past ${formatBytes(maxBytes)} while being read`, 'EFBIG');
    }
    return stripBom(Buffer.concat(chunks, length).toString('utf8'));
  } catch (error) {
    if (error instanceof UserFileError) throw error;
    throw new UserFileError(file, openFailure(error as NodeJS.ErrnoException), (error as NodeJS.ErrnoException).code);
  } finally {
    await handle.close();
  }
}

/** Like readUserFile, but undefined when the file does not exist. */
export async function readUserFileIfExists(file: string, maxBytes?: number): Promise<string | undefined> {
  try {
    return await readUserFile(file, maxBytes);
  } catch (error) {
    if (error instanceof UserFileError && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function openFailure(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'it does not exist (or is a symlink to nothing)';
    case 'ELOOP':
      return 'it is a symlink loop';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENXIO':
      return 'it is a socket or a device, not a regular file';
    default:
      return error.code ? `${error.code}: ${error.message}` : error.message;
  }
}

function kindOf(stats: import('node:fs').Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'a special file';
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${bytes} bytes`;
}
