import type { CliCommand, CliIo } from '../command';
import { defineOptions, EXIT, UsageError, WORKSPACE_OPTION } from '../command';
import { harnessPath, parseCliArgs, positiveInt, resolveWorkspace, type ParsedValues } from '../args';
import { PrettyReporter, useColor } from '../pretty';
import { RunFailure, startRun, type RunOptions } from '../../core/run/client';
import type { RunReport } from '../../core/run/protocol';
import { parseDuration } from '../../core/util/duration';
import { parseReporterSpecs, ReporterSpecError, writeReports } from '../../core/report/reporterSpecs';
import { parseShard, ShardSpecError, type Shard } from '../../core/report/shard';

const SELECTION = {
  workspace: WORKSPACE_OPTION,
  scenario: { type: 'string', multiple: true, arg: 'ID', help: 'only the scenario with this id (repeatable)', otherwise: 'every scenario' },
  filter: { type: 'string', arg: 'TEXT', help: 'only scenarios whose id, description or file contains TEXT (case-insensitive)', otherwise: 'no filter' },
  tag: { type: 'string', multiple: true, arg: 'TAG', help: 'only scenarios with this tag (repeatable: any of them)', otherwise: 'any tag' },
  concurrency: { type: 'string', short: 'j', arg: 'N', help: 'attempts running at once', otherwise: 'defaults.concurrency of costar.yaml' },
  reporter: {
    type: 'string',
    multiple: true,
    short: 'r',
    arg: 'FORMAT[:FILE]',
    help: 'pretty, json, junit, markdown or github, to stdout or FILE (repeatable)',
    otherwise: 'pretty (live, to the terminal)',
  },
  out: { type: 'string', short: 'o', arg: 'FILE', help: 'write the first file-less non-pretty reporter to FILE', otherwise: 'stdout' },
  'no-cache': { type: 'boolean', help: 'call the model even when a judge answer is cached in .costar/cache' },
} as const;

const RUN_OPTIONS = defineOptions({
  ...SELECTION,
  timeout: { type: 'string', arg: 'DURATION', help: 'timeout of each attempt, e.g. 30s or 2m', otherwise: "the scenario's timeout, else defaults.timeout of costar.yaml" },
  shard: { type: 'string', arg: 'I/N', help: "run only this CI worker's stable share of the selected scenarios", otherwise: 'all of them' },
});

const RESCORE_OPTIONS = defineOptions({
  ...SELECTION,
  run: { type: 'string', arg: 'ID|latest', help: 'the stored run whose traces are judged again', default: 'latest' },
  judge: { type: 'string', multiple: true, arg: 'ID', help: 'only this judge (repeatable)', otherwise: 'every judge' },
});

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'Run scenarios: start each agent in a sandbox, record its trace, judge it',
  usage: 'costar run [options]',
  options: RUN_OPTIONS,
  examples: ['costar run', 'costar run --tag smoke --reporter junit:results.xml', 'costar run --scenario skewed-income --timeout 2m', 'costar run --shard 1/3 --reporter json:shard-1.json'],
  notes: 'Exit codes: 0 all passed, 1 some scenario failed, 2 configuration or usage error (also: nothing matched the selection), 3 some scenario errored.',
  run: (args, io) => runOrRescore('run', parseCliArgs(args, RUN_OPTIONS).values, io),
};

export const rescoreCommand: CliCommand = {
  name: 'rescore',
  summary: 'Judge the stored traces of a run again, without running any agent',
  usage: 'costar rescore [options]',
  options: RESCORE_OPTIONS,
  examples: ['costar rescore', 'costar rescore --run 20260101-120000000-a1b2c3 --judge robust-imputation'],
  notes: 'A re-score is a run of its own (.costar/runs/<new id>); the run it judged is left as it was.',
  run: (args, io) => runOrRescore('rescore', parseCliArgs(args, RESCORE_OPTIONS).values, io),
};

type RunValues = Partial<ParsedValues<typeof RUN_OPTIONS> & ParsedValues<typeof RESCORE_OPTIONS>>;

async function runOrRescore(mode: 'run' | 'rescore', values: RunValues, io: CliIo): Promise<number> {
  const workspaceDir = resolveWorkspace(values.workspace as string | undefined, io.cwd);
  const timeoutMs = values.timeout === undefined ? undefined : parseDuration(values.timeout as string);
  if (values.timeout !== undefined && timeoutMs === undefined) throw new UsageError(`--timeout expects a duration such as 30s or 2m, got "${String(values.timeout)}"`);
  const reporters = parseReporters((values.reporter as string[] | undefined) ?? [], values.out as string | undefined);

  const options: RunOptions = {
    workspaceDir,
    mode,
    ...(values.scenario ? { scenarioIds: values.scenario } : {}),
    ...shardOption(values.shard),
    ...(values.filter ? { filter: values.filter as string } : {}),
    ...(values.tag ? { tags: values.tag as string[] } : {}),
    ...(values.concurrency ? { concurrency: positiveInt(values.concurrency as string, '--concurrency')! } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(values['no-cache'] ? { noCache: true } : {}),
    ...(values.run ? { fromRunId: values.run } : {}),
    ...(values.judge ? { judges: values.judge } : {}),
  };
  const pretty = reporters.some((r) => r.format === 'pretty') ? new PrettyReporter(io.stdout, { mode, color: useColor(io.env, io.stdout) }) : undefined;
  const handle = startRun(options, {
    harnessPath: harnessPath(),
    onEvent: (event) => {
      pretty?.onEvent(event);
      // Without the live reporter (e.g. --reporter json on stdout), warnings still reach the terminal.
      if (!pretty && event.type === 'log' && event.level !== 'info') io.stderr.write(`${event.level}: ${event.message}\n`);
    },
    onLog: (line) => io.stderr.write(`[harness] ${line}\n`),
  });
  const onSignal = () => {
    io.stderr.write('\ncancelling: stopping every agent…\n');
    handle.cancel();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let report: RunReport;
  try {
    report = await handle.done;
  } catch (error) {
    pretty?.stop();
    if (error instanceof RunFailure) {
      io.stderr.write(`${error.message}\n`);
      return error.config ? EXIT.usage : EXIT.error;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  pretty?.finish(report);
  // On GitHub Actions, annotation paths must be relative to the repository, not the workspace.
  io.stdout.write(await writeReports(report, reporters, { cwd: io.cwd, ...(io.env.GITHUB_WORKSPACE ? { repoRoot: io.env.GITHUB_WORKSPACE } : {}) }));
  return exitCodeFor(report);
}

/** `--shard i/n`: the harness runs this worker's stable share (by id hash) of the selection. */
function shardOption(spec: string | undefined): { shard?: Shard } {
  if (spec === undefined) return {};
  try {
    return { shard: parseShard(spec) };
  } catch (error) {
    if (error instanceof ShardSpecError) throw new UsageError(error.message);
    throw error;
  }
}

/** No reporter named: the live terminal one, plus --out's file when given. */
function parseReporters(specs: string[], out: string | undefined) {
  try {
    const parsed = parseReporterSpecs(specs, out === undefined ? {} : { out });
    if (specs.length === 0) parsed.unshift({ format: 'pretty' });
    return parsed;
  } catch (error) {
    if (error instanceof ReporterSpecError) throw new UsageError(error.message);
    throw error;
  }
}

/** 3 when any scenario errored (it could not be judged), else 1 when any failed, else 0. */
export function exitCodeFor(report: RunReport): number {
  if (report.summary.error > 0) return EXIT.error;
  if (report.summary.failed > 0) return EXIT.failed;
  return EXIT.ok;
}
