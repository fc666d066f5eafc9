/**
 * A change set as one unified diff (git-style a/ b/ paths, /dev/null for new files) for
 * review bots and `git apply`. The patch is made with the `diff` package.
 *
 * git reads a patch's paths relative to the repository root, wherever it runs: a workspace
 * that is a sub-folder of a repository needs its paths prefixed with that sub-folder, or
 * `git apply` from inside it skips every file (and exits 0).
 */
import * as path from 'node:path';
import { formatPatch, structuredPatch } from 'diff';
import { originalText, type ChangeSet } from './changeSet';

export interface PatchOptions {
  /** '/'-separated folder of the workspace inside its git repository ('' or absent: the root). */
  pathPrefix?: string;
}

export function changeSetToPatch(changeSet: ChangeSet, options: PatchOptions = {}): string {
  const prefix = options.pathPrefix ? `${options.pathPrefix.replace(/\/+$/, '')}/` : '';
  return changeSet.files
    .map((file) => {
      // A newline in a name would forge a header line that `patch -p1` follows anywhere.
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f]/.test(file.path)) throw new Error(`refused to write a patch for ${JSON.stringify(file.path)}: the path contains a control character`);
      const name = `${prefix}${file.path}`;
      const oldName = file.original === null ? '/dev/null' : `a/${name}`;
      const patch = structuredPatch(oldName, `b/${name}`, originalText(file), file.proposed, undefined, undefined, { context: 3 });
      // formatPatch's default "Index:" banner is noise to git; the ---/+++ headers are what it reads.
      return `diff --git a/${name} b/${name}\n${file.original === null ? 'new file mode 100644\n' : ''}${stripBanner(formatPatch(patch))}`;
    })
    .join('');
}

/** The prefix for a workspace's patches: its folder relative to the enclosing git repository, if any. */
export function repoPathPrefix(workspaceDir: string, repoRoot: string | undefined): string {
  if (!repoRoot) return '';
  const relative = path.relative(repoRoot, workspaceDir);
  return relative.startsWith('..') || path.isAbsolute(relative) ? '' : relative.split(path.sep).join('/');
}

function stripBanner(text: string): string {
  const start = text.indexOf('--- ');
  return start > 0 ? text.slice(start) : text;
}
