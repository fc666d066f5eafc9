/**
 * What the refine assistant produces: proposed new contents of files in the agent's source
 * folders, each with the assistant's explanation. Nothing here is written to disk; the user
 * (or `costar refine --out`) decides what happens to it.
 */
export interface FileChange {
  /** Workspace-relative, '/'-separated. */
  path: string;
  /** The file's text when the assistant first touched it; null for a file it creates. */
  original: string | null;
  proposed: string;
  /** Why, in the assistant's words (one paragraph per propose_edit call on this file). */
  explanation: string;
}

export interface ChangeSet {
  files: FileChange[];
  /** The assistant's closing summary. */
  summary: string;
}

export function originalText(change: FileChange): string {
  return change.original ?? '';
}
