import * as path from 'node:path';
import type { CliCommand } from '../command';
import { EXIT, UsageError } from '../command';
import { parseCliArgs } from '../args';
import { mergeReports, MergeError } from '../../core/report/merge';
import { readReportFile, ReportFileError } from '../../core/report/readReport';
import { parseReporterSpecs, ReporterSpecError, writeReports } from '../../core/report/reporterSpecs';
import { exitCodeFor } from './run';

export const mergeCommand: CliCommand = {
  name: 'merge',
  summary: 'Merge the JSON reports of the shards of one suite (--shard i/n) into one report',
  usage: 'costar merge REPORT.json... [--reporter json|junit|markdown|github[:FILE]]... [--out FILE]',
  async run(args, io) {
    const { values, positionals } = parseCliArgs(args, { reporter: { type: 'string', multiple: true, short: 'r' }, out: { type: 'string', short: 'o' } }, true);
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
