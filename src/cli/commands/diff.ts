import type { CliCommand } from '../command';
import { EXIT, UsageError } from '../command';
import { parseCliArgs, resolveWorkspace } from '../args';
import { diffRuns, type RunDiff } from '../../core/report/diff';
import { renderDiffText } from '../../core/report/diffText';
import { selectRunsToDiff, RunSelectionError } from '../../core/report/selectRuns';
import { loadRunMetrics } from '../../core/report/runMetrics';
import { TraceStore } from '../../core/trace/store';
import { describeSkipped, type SkippedFile } from '../../core/util/files';

export const diffCommand: CliCommand = {
  name: 'diff',
  summary: 'Compare two runs: newly failing, fixed, still failing, and metrics that moved ×2 (default: last green vs latest)',
  usage: 'costar diff [RUN_A] [RUN_B] [--json] [--workspace DIR]   (exit 1 when a scenario is newly failing)',
  async run(args, io) {
    const { values, positionals } = parseCliArgs(args, { workspace: { type: 'string', short: 'w' }, json: { type: 'boolean' } }, true);
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
    const metrics = await loadRunMetrics(new TraceStore(workspaceDir), [runs.a, runs.b]);
    const diff: RunDiff = diffRuns(runs.a, runs.b, { metricsOf: (id) => metrics.get(id) });
    io.stdout.write(values.json ? `${JSON.stringify(diff, null, 2)}\n` : renderDiffText(diff));
    return diff.counts['newly-failing'] > 0 ? EXIT.failed : EXIT.ok;
  },
};
