/**
 * Confinement of the refine assistant: every path it names must lie inside one of the
 * agent's declared `source` folders (costar.yaml). Paths are workspace-relative. Absolute
 * paths and `..` segments are refused outright (never normalized away), and the real path
 * (symlinks resolved) of the file, or of its nearest existing ancestor for a new file, must
 * still be inside the real path of a source folder: a symlink pointing outside is an escape.
 * The same check runs when the assistant reads, when it proposes, and again when an edit
 * is applied, because the file system may have changed in between.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Folders refused inside a source folder, whatever the case (case-insensitive file systems). */
export const PROTECTED_FOLDERS: ReadonlySet<string> = new Set(['.git', 'node_modules']);

export interface ConfinedPath {
  /** Absolute path (as named, not symlink-resolved). */
  abs: string;
  /** Workspace-relative, '/'-separated. */
  rel: string;
}

export type Confinement = ({ ok: true } & ConfinedPath) | { ok: false; reason: string };

export class SourceFolders {
  private constructor(
    readonly workspaceDir: string,
    /** Workspace-relative folders, '/'-separated, without trailing slash. */
    readonly folders: readonly string[],
    private readonly realFolders: readonly string[],
  ) {}

  /** The agent's declared source folders; a folder that does not exist is an error naming it. */
  static async open(workspaceDir: string, declared: readonly string[]): Promise<SourceFolders> {
    const root = path.resolve(workspaceDir);
    if (declared.length === 0) {
      throw new Error('the agent declares no source folders: add `source: [path/to/agent]` to its entry in costar.yaml so Refine knows what it may edit');
    }
    const folders: string[] = [];
    const realFolders: string[] = [];
    for (const folder of declared) {
      const abs = path.resolve(root, folder);
      let real: string;
      try {
        real = await fs.realpath(abs);
      } catch {
        throw new Error(`source folder "${folder}" (costar.yaml) does not exist: create it or fix the agent's \`source\` list`);
      }
      folders.push(toSlash(path.relative(root, abs)) || '.');
      realFolders.push(real);
    }
    return new SourceFolders(root, folders, realFolders);
  }

  /** Checks a path named by the assistant; the reason of a refusal is written for the model. */
  async resolve(requested: unknown): Promise<Confinement> {
    if (typeof requested !== 'string' || requested.trim() === '') return refuse('a path is required (workspace-relative, e.g. "agents/my-agent/prompt.md")');
    const named = requested.trim();
    if (named.includes('\0')) return refuse('the path contains a NUL character');
    // A newline in a path becomes a second header line of the patch (`+++ b/x\n+++ b/../../evil`),
    // which `patch -p1` follows out of the source folders; no real source file needs one.
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(named)) return refuse(`${JSON.stringify(named)} contains a newline or another control character; file names with those are refused`);
    if (path.isAbsolute(named) || path.win32.isAbsolute(named) || named.startsWith('~')) {
      return refuse(`"${named}" is absolute: use a path relative to the workspace inside ${this.describe()}`);
    }
    if (named.split(/[\\/]+/).includes('..')) return refuse(`"${named}" contains "..": paths may not leave ${this.describe()}`);
    const abs = path.resolve(this.workspaceDir, named);
    const rel = toSlash(path.relative(this.workspaceDir, abs));
    // Repository data and installed dependencies are never the agent's source, even inside a
    // source folder: an edit to .git/hooks runs code on the next commit.
    const protectedSegment = rel.split('/').find((segment) => PROTECTED_FOLDERS.has(segment.toLowerCase()));
    if (protectedSegment) return refuse(`"${named}" is inside ${protectedSegment}/, which Refine never reads or edits`);
    const folderIndex = this.folders.findIndex((folder) => folder === '.' || rel === folder || rel.startsWith(`${folder}/`));
    if (folderIndex < 0) return refuse(`"${named}" is outside the agent's source folders; you may only read and edit ${this.describe()}`);
    const real = await realPathOfNearest(abs);
    if (!this.realFolders.some((folder) => isInside(real, folder))) {
      return refuse(`"${named}" resolves (through a symbolic link) to a place outside ${this.describe()}; it may not be read or edited`);
    }
    return { ok: true, abs, rel };
  }

  /** Like resolve, but throws: for code paths (apply) where a refusal is a hard error. */
  async require(requested: string): Promise<ConfinedPath> {
    const result = await this.resolve(requested);
    if (!result.ok) throw new Error(`refused: ${result.reason}`);
    return result;
  }

  /** Absolute paths of the folders, for walking them. */
  absoluteFolders(): string[] {
    return this.folders.map((folder) => path.resolve(this.workspaceDir, folder));
  }

  private describe(): string {
    return this.folders.map((f) => `${f}/`).join(', ');
  }
}

function refuse(reason: string): Confinement {
  return { ok: false, reason };
}

/** The real path of `abs`, or of its nearest existing ancestor joined with the missing rest. */
async function realPathOfNearest(abs: string): Promise<string> {
  let missing = '';
  for (let current = abs; ; current = path.dirname(current)) {
    try {
      const real = await fs.realpath(current);
      return missing ? path.join(real, missing) : real;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A dangling symlink has an lstat but no realpath: its target is unknown, so it is not trusted.
      if (code === 'ENOENT' && (await isSymlink(current))) return '\0dangling-symlink';
      if (path.dirname(current) === current) return abs;
      missing = missing ? path.join(path.basename(current), missing) : path.basename(current);
    }
  }
}

async function isSymlink(file: string): Promise<boolean> {
  try {
    return (await fs.lstat(file)).isSymbolicLink();
  } catch {
    return false;
  }
}

export function isInside(child: string, folder: string): boolean {
  const rel = path.relative(folder, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

export function toSlash(p: string): string {
  return p.split(path.sep).join('/');
}
