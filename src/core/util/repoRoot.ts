/** The git repository a folder belongs to, found by looking for `.git` upwards (no git needed). */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The nearest folder at or above `dir` holding `.git` (a folder, or a file for worktrees), else undefined. */
export function findRepoRoot(dir: string): string | undefined {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (existsSync(path.join(current, '.git'))) return current;
    if (path.dirname(current) === current) return undefined;
  }
}
