/**
 * A change set as one unified diff (git-style a/ b/ paths, /dev/null for new files) for
 * review bots and `git apply`. The patch is made with the `diff` package.
 */
import { formatPatch, structuredPatch } from 'diff';
import { originalText, type ChangeSet } from './changeSet';

export function changeSetToPatch(changeSet: ChangeSet): string {
  return changeSet.files
    .map((file) => {
      const oldName = file.original === null ? '/dev/null' : `a/${file.path}`;
      const patch = structuredPatch(oldName, `b/${file.path}`, originalText(file), file.proposed, undefined, undefined, { context: 3 });
      // formatPatch's default "Index:" banner is noise to git; the ---/+++ headers are what it reads.
      return `diff --git a/${file.path} b/${file.path}\n${file.original === null ? 'new file mode 100644\n' : ''}${stripBanner(formatPatch(patch))}`;
    })
    .join('');
}

function stripBanner(text: string): string {
  const start = text.indexOf('--- ');
  return start > 0 ? text.slice(start) : text;
}
