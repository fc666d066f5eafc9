/**
 * Outlines of trace files outside a trace store (a `*.trace.json` opened in the custom editor,
 * an export from MLflow). They are kept in a folder of the extension's own storage, never next
 * to the user's file, so a big file is scanned once rather than at every opening. An outline is
 * named by a hash of the file's absolute path; it names the size and mtime of the file it
 * describes, so a file that changed is scanned again (outlineLoad.ts). The folder keeps the
 * outlines used last, up to a byte budget.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

const SUFFIX = '.outline.json';
/** A 250,000-span outline is ≈ 20 MB: room for the few big traces someone works on at a time. */
export const OUTLINE_CACHE_BYTES = 256 * 1024 * 1024;

export function cachedOutlinePath(cacheDir: string, traceFile: string): string {
  const key = createHash('sha256').update(path.resolve(traceFile)).digest('hex').slice(0, 32);
  return path.join(cacheDir, key + SUFFIX);
}

/**
 * Marks `used` as just used and removes the outlines used longest ago until the rest fit in
 * `budgetBytes` (`used` always stays). Returns the files removed. A folder that is missing or
 * unreadable is left alone: the cache only saves time.
 */
export async function noteOutlineUsed(cacheDir: string, used: string, budgetBytes = OUTLINE_CACHE_BYTES): Promise<string[]> {
  const now = new Date();
  await fs.utimes(used, now, now).catch(() => {});
  let names: string[];
  try {
    names = (await fs.readdir(cacheDir)).filter((n) => n.endsWith(SUFFIX));
  } catch {
    return [];
  }
  const entries = (await Promise.all(names.map(async (name) => {
    const file = path.join(cacheDir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    return stat?.isFile() ? { file, bytes: stat.size, usedMs: stat.mtimeMs } : undefined;
  }))).filter((e) => e !== undefined);
  entries.sort((a, b) => b.usedMs - a.usedMs);
  let total = entries.find((e) => e.file === used)?.bytes ?? 0;
  const removed: string[] = [];
  for (const entry of entries) {
    if (entry.file === used) continue;
    if (total + entry.bytes <= budgetBytes) {
      total += entry.bytes;
      continue;
    }
    await fs.rm(entry.file, { force: true });
    removed.push(entry.file);
  }
  return removed;
}
