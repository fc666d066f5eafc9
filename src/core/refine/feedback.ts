/**
 * Feedback for another refine round: what the developer did with the previous proposal.
 * Rejected hunks are told to the assistant verbatim (file, the hunk as a diff, "the developer
 * rejected this"), so it does not propose the same change again without a better reason;
 * accepted hunks are already in the files, which it reads afresh. The new failing verdicts
 * are not repeated here: the next round's context is built from the re-run (rounds.ts).
 *
 * Feedback comes from a refinement record (the editor records decisions), or — for the CLI,
 * where a person reviews a patch outside coSTAR — from a unified diff of the rejected hunks.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parsePatch } from 'diff';
import { originalText } from './changeSet';
import { loadRefinement, refinementsDir, type RefinementRecord } from './history';
import { computeHunks } from './hunks';

/** Bounds the feedback so a huge rejected rewrite cannot crowd the context out. */
const HUNK_CHARS = 4_000;
const FEEDBACK_CHARS = 24_000;

export interface RejectedHunk {
  path: string;
  /** The hunk as diff lines ("-old", "+new"; context lines " " in a patch). */
  diff: string;
  /** Why it counts as rejected, in words for the model. */
  why: string;
}

export interface RoundFeedback {
  /** The text said to the assistant after the context. */
  text: string;
  /** The refinement the feedback is about, when it came from the history. */
  previousRefinementId?: string;
  /** The round the feedback leads to (the previous refinement's round + 1). */
  round?: number;
}

/** The hunks the developer rejected (or never answered) in a refinement. */
export function rejectedHunksOf(record: RefinementRecord): RejectedHunk[] {
  const rejected: RejectedHunk[] = [];
  for (const change of record.proposal) {
    const hunks = computeHunks(originalText(change), change.proposed);
    const decision = record.decisions?.find((d) => d.path === change.path);
    // No decision recorded: the proposal was never applied (costar refine applies nothing).
    const indexes = decision ? decision.rejected : hunks.map((h) => h.index);
    const why = !decision
      ? 'the developer did not apply this proposal'
      : decision.endedBy === 'discarded'
        ? 'the developer discarded the proposal without accepting this'
        : decision.endedBy === 'editor-closed'
          ? 'the developer closed the file without accepting this'
          : 'the developer rejected this';
    for (const index of indexes) {
      const hunk = hunks[index];
      if (!hunk) continue;
      const diff = change.original === null ? prefixLines('+', change.proposed) : `${prefixLines('-', hunk.removed)}${prefixLines('+', hunk.added)}`;
      rejected.push({ path: change.path, diff: change.original === null ? `(new file)\n${diff}` : diff, why });
    }
  }
  return rejected;
}

/** Feedback from a previous refinement: its rejected hunks and how its re-run went. */
export function feedbackFromRecord(record: RefinementRecord): RoundFeedback {
  const rejected = rejectedHunksOf(record);
  const accepted = record.decisions?.reduce((n, d) => n + d.accepted.length, 0) ?? 0;
  const parts = [`## Previous round (refinement ${record.id})`];
  if (accepted > 0) parts.push(`The developer accepted ${accepted} hunk(s) of your previous proposal; they are already in the files (read them again before editing).`);
  if (rejected.length > 0) parts.push(renderRejected(rejected));
  const v = record.verification;
  if (v) {
    const ids = (list: { id: string }[]) => (list.length > 0 ? list.map((s) => s.id).join(', ') : 'none');
    parts.push(
      `After the accepted edits the scenarios ran again (run ${v.suiteRunId ?? v.targetedRunId}): fixed: ${ids(v.fixed)}; still failing: ${ids(v.stillFailing)}; newly failing: ${ids(v.newlyFailing)}. The failing verdicts above are from that run.`,
    );
  }
  return { text: cap(parts.join('\n\n')), previousRefinementId: record.id, round: (record.round ?? 1) + 1 };
}

/** Feedback from a unified diff holding the hunks a reviewer rejected. `source` names the file in errors. */
export function feedbackFromPatch(patchText: string, source: string): RoundFeedback {
  let files;
  try {
    files = parsePatch(patchText);
  } catch (error) {
    throw new Error(`${source} is not a unified diff (${(error as Error).message}); give a patch of the rejected hunks or a refinement id`);
  }
  const rejected: RejectedHunk[] = [];
  for (const file of files) {
    const name = stripPrefix(file.newFileName === '/dev/null' || !file.newFileName ? file.oldFileName : file.newFileName);
    for (const hunk of file.hunks) rejected.push({ path: name ?? '(unnamed file)', diff: `${hunk.lines.join('\n')}\n`, why: 'the developer rejected this' });
  }
  if (rejected.length === 0) {
    throw new Error(`${source} holds no diff hunks ("@@ … @@" sections); give a patch of the rejected hunks (as costar refine --out writes) or a refinement id`);
  }
  return { text: cap(`## Previous round\n\n${renderRejected(rejected)}`) };
}

/**
 * `--feedback REF`: a refinement id of `.costar/refinements/`, or a file — a refinement
 * record (JSON) or a unified diff of the rejected hunks. Relative files resolve against `cwd`.
 */
export async function resolveFeedback(workspaceDir: string, ref: string, cwd: string): Promise<RoundFeedback> {
  if (/^[\w-]+$/.test(ref)) {
    const record = await loadRefinement(workspaceDir, ref).catch(() => undefined);
    if (record) return feedbackFromRecord(record);
  }
  const file = path.resolve(cwd, ref);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `--feedback ${ref}: no refinement with this id in ${path.relative(cwd, refinementsDir(workspaceDir)) || '.'} and no such file`
        : `--feedback ${ref}: cannot read ${file}: ${(error as Error).message}`,
    );
  }
  const record = parseRecord(text);
  return record ? feedbackFromRecord(record) : feedbackFromPatch(text, ref);
}

export function renderRejected(rejected: readonly RejectedHunk[]): string {
  const blocks = rejected.map((h) => `### ${h.path} — ${h.why}\n\`\`\`diff\n${clip(h.diff, HUNK_CHARS)}\`\`\``);
  return [
    'These changes were NOT accepted. Do not propose them again as they are: find another way to make the scenarios pass, or, if one of them is truly needed, propose it with an explanation that answers why it was turned down.',
    ...blocks,
  ].join('\n\n');
}

function parseRecord(text: string): RefinementRecord | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const value = JSON.parse(text) as Partial<RefinementRecord>;
    return typeof value.id === 'string' && Array.isArray(value.proposal) ? (value as RefinementRecord) : undefined;
  } catch {
    return undefined;
  }
}

function prefixLines(prefix: string, text: string): string {
  if (text === '') return '';
  return `${text.replace(/\r?\n$/, '').split(/\r?\n/).map((l) => `${prefix}${l}`).join('\n')}\n`;
}

function stripPrefix(name: string | undefined): string | undefined {
  return name?.replace(/^[ab]\//, '');
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}\n… [${text.length - max} more characters]\n` : text;
}

function cap(text: string): string {
  return text.length > FEEDBACK_CHARS ? `${text.slice(0, FEEDBACK_CHARS)}\n… [feedback shortened]` : text;
}
