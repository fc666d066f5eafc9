import type { CliCommand } from '../command';
import { defineOptions, EXIT, UsageError, WORKSPACE_OPTION } from '../command';
import { parseCliArgs, resolveWorkspace } from '../args';
import { renderDiffText } from '../../core/report/diffText';
import { selectRunsToDiff, RunSelectionError } from '../../core/report/selectRuns';
import { diffStoredRuns } from '../../core/report/storedDiff';
import { describeSkipped, type SkippedFile } from '../../core/util/files';

const OPTIONS = defineOptions({
  workspace: WORKSPACE_OPTION,
  json: { type: 'boolean', help: 'print the diff as JSON' },
});

export const diffCommand: CliCommand = {
  name: 'diff',
  summary: 'Compare two runs: newly failing, fixed, still failing, and metrics that moved ×2 (default: last complete green run vs latest)',
  usage: 'costar diff [RUN_A] [RUN_B] [options]',
  options: OPTIONS,
  examples: ['costar diff', 'costar diff latest', 'costar diff 20260101-120000000-a1b2c3 latest --json'],
  notes:
    'RUN_A defaults to the last complete green run before RUN_B (one that ran every scenario, unfiltered and unsharded); RUN_B to the latest run. ' +
    '"latest" names the newest run.\nExit codes: 0 nothing newly failing, 1 some scenario is newly failing, 2 no such run or no baseline.',
  async run(args, io) {
    const { values, positionals } = parseCliArgs(args, OPTIONS, true);
    if (positionals.length > 2) throw new UsageError('name at most two runs: costar diff [RUN_A] [RUN_B]');
    const workspaceDir = resolveWorkspace(values.workspace, io.cwd);
    let runs;
    const skipped: SkippedFile[] = [];
    try {
      // One named run is B, compared with the last green run before it.
      runs = positionals.length === 1 ? await selectRunsToDiff(workspaceDir, undefined, positionals[0], skipped) : await selectRunsToDiff(workspaceDir, positionals[0], positionals[1], skipped);
    } catch (error) {
      for (const damaged of skipped) io.stderr.write(`warning: ${describeSkipped(damaged)}\n`);
      if (error instanceof RunSelectionError) {
        io.stderr.write(`${error.message}\n`);
        return EXIT.usage;
      }
      throw error;
    }
    for (const damaged of skipped) io.stderr.write(`warning: ${describeSkipped(damaged)}\n`);
    const diff = await diffStoredRuns(workspaceDir, runs.a, runs.b);
    io.stdout.write(values.json ? `${JSON.stringify(diff, null, 2)}\n` : renderDiffText(diff));
    return diff.counts['newly-failing'] > 0 ? EXIT.failed : EXIT.ok;
  },
};
