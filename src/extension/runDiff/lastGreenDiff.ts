/**
 * The text of "Compare with last green run": `costar diff` with no arguments — the newest run
 * against the newest complete all-green run before it — rendered exactly as the CLI prints it, so the
 * editor and a CI log read the same. No `vscode` here.
 */
import { renderDiffText } from '../../core/report/diffText';
import { selectRunsToDiff } from '../../core/report/selectRuns';
import { diffStoredRuns } from '../../core/report/storedDiff';
import { diffLinks, type DiffLink } from './diffLinks';

export interface LastGreenDiff {
  runA: string;
  runB: string;
  text: string;
  /** Where the text links to scenario files and traces. */
  links: DiffLink[];
}

/** Throws RunSelectionError (with what to do) when there is no run, or no green run to compare with. */
export async function lastGreenDiff(workspaceDir: string): Promise<LastGreenDiff> {
  const { a, b } = await selectRunsToDiff(workspaceDir);
  const diff = await diffStoredRuns(workspaceDir, a, b);
  const text = renderDiffText(diff);
  return { runA: a.runId, runB: b.runId, text, links: diffLinks(text, diff, a, b, workspaceDir) };
}
