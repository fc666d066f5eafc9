import * as path from 'node:path';
import type { CliCommand } from '../command';
import { defineOptions, EXIT, UsageError, WORKSPACE_OPTION } from '../command';
import { parseCliArgs, resolveWorkspace } from '../args';
import { mergeReports, MergeError } from '../../core/report/merge';
import { readReportFile, ReportFileError } from '../../core/report/readReport';
import { parseReporterSpecs, ReporterSpecError, writeReports } from '../../core/report/reporterSpecs';
import { exitCodeFor } from './run';

const OPTIONS = defineOptions({
  reporter: { type: 'string', multiple: true, short: 'r', arg: 'FORMAT[:FILE]', help: 'json, junit, markdown or github, to stdout or FILE (repeatable)', otherwise: 'json to stdout' },
  out: { type: 'string', short: 'o', arg: 'FILE', help: 'write the first file-less reporter to FILE', otherwise: 'stdout' },
  workspace: {
    ...WORKSPACE_OPTION,
    help: "the workspace the scenario files are in, here (file paths in annotations are relative to it); merge needs no costar.yaml otherwise",
    otherwise: 'the workspace folder the shards recorded',
  },
});

export const mergeCommand: CliCommand = {
  name: 'merge',
  summary: 'Merge the JSON reports of the shards of one suite (--shard i/n) into one report',
  usage: 'costar merge REPORT.json... [options]',
  options: OPTIONS,
  examples: ['costar merge shard-*.json --reporter junit:results.xml', 'costar merge shard-1.json shard-2.json --reporter github --workspace .'],
  notes: 'Exit codes as costar run, for the merged report; 2 when the reports cannot be merged.',
  async run(args, io) {
    const { values, positionals } = parseCliArgs(args, OPTIONS, true);
    if (positionals.length === 0) throw new UsageError('name the shard reports to merge (written by costar run --reporter json:FILE)');
    let specs;
    try {
      specs = parseReporterSpecs(values.reporter ?? [], values.out === undefined ? {} : { out: values.out });
    } catch (error) {
      if (error instanceof ReporterSpecError) throw new UsageError(error.message);
      throw error;
    }
    if (specs.some((s) => s.format === 'pretty')) throw new UsageError('the pretty reporter is live output of costar run; merge writes json, junit, markdown or github');
    if (specs.length === 0) specs.push({ format: 'json' });
    try {
      const merged = mergeReports(await Promise.all(positionals.map((file) => readReportFile(path.resolve(io.cwd, file)))));
      // Shards ran on other machines: their workspace path may not exist here.
      if (values.workspace !== undefined) merged.workspaceDir = resolveWorkspace(values.workspace, io.cwd);
      io.stdout.write(await writeReports(merged, specs, { cwd: io.cwd, ...(io.env.GITHUB_WORKSPACE ? { repoRoot: io.env.GITHUB_WORKSPACE } : {}) }));
      return exitCodeFor(merged);
    } catch (error) {
      if (error instanceof MergeError || error instanceof ReportFileError) {
        io.stderr.write(`${error.message}\n`);
        return EXIT.usage;
      }
      throw error;
    }
  },
};
