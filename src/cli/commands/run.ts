import type { CliCommand, CliIo } from '../command';
import { EXIT, UsageError } from '../command';
import { harnessPath, parseCliArgs, positiveInt, resolveWorkspace } from '../args';
import { PrettyReporter } from '../pretty';
import { RunFailure, startRun, type RunOptions } from '../../core/run/client';
import type { RunReport } from '../../core/run/protocol';
import { parseDuration } from '../../core/util/duration';
import { parseReporterSpecs, ReporterSpecError, writeReports } from '../../core/report/reporterSpecs';
import { parseShard, shardScenarios, ShardSpecError } from '../../core/report/shard';
import { loadWorkspace } from '../../core/scenario/load';

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'Run scenarios: start each agent in a sandbox, record its trace, judge it',
  usage:
    'costar run [--workspace DIR] [--scenario ID]... [--filter TEXT] [--tag TAG]... [--concurrency N] [--timeout 30s] ' +
    '[--shard I/N] [--reporter pretty|json|junit|markdown|github[:FILE]]... [--out FILE] [--no-cache]',
  run: (args, io) => runOrRescore('run', args, io),
};

export const rescoreCommand: CliCommand = {
  name: 'rescore',
  summary: 'Judge the stored traces of a run again, without running any agent',
  usage: 'costar rescore [--workspace DIR] [--run ID|latest] [--judge ID]... [--scenario ID]... [--reporter …]... [--out FILE] [--no-cache]',
  run: (args, io) => runOrRescore('rescore', args, io),
};

async function runOrRescore(mode: 'run' | 'rescore', args: string[], io: CliIo): Promise<number> {
  const { values } = parseCliArgs(args, {
    workspace: { type: 'string', short: 'w' },
    scenario: { type: 'string', multiple: true },
    filter: { type: 'string' },
    tag: { type: 'string', multiple: true },
    concurrency: { type: 'string', short: 'j' },
    timeout: { type: 'string' },
    reporter: { type: 'string', multiple: true, short: 'r' },
    out: { type: 'string', short: 'o' },
    'no-cache': { type: 'boolean' },
    run: { type: 'string' },
    judge: { type: 'string', multiple: true },
    shard: { type: 'string' },
  });
  if (mode === 'run' && (values.run || values.judge)) throw new UsageError('--run and --judge belong to `costar rescore`');
  const workspaceDir = resolveWorkspace(values.workspace as string | undefined, io.cwd);
  const timeoutMs = values.timeout === undefined ? undefined : parseDuration(values.timeout as string);
  if (values.timeout !== undefined && timeoutMs === undefined) throw new UsageError(`--timeout expects a duration such as 30s or 2m, got "${String(values.timeout)}"`);
  const reporters = parseReporters((values.reporter as string[] | undefined) ?? [], values.out as string | undefined);

  const scenarioIds = values.shard ? await shardIds(workspaceDir, values.shard, values.scenario) : values.scenario;
  const options: RunOptions = {
    workspaceDir,
    mode,
    ...(scenarioIds ? { scenarioIds } : {}),
    ...(values.filter ? { filter: values.filter as string } : {}),
    ...(values.tag ? { tags: values.tag as string[] } : {}),
    ...(values.concurrency ? { concurrency: positiveInt(values.concurrency as string, '--concurrency')! } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(values['no-cache'] ? { noCache: true } : {}),
    ...(values.run ? { fromRunId: values.run } : {}),
    ...(values.judge ? { judges: values.judge } : {}),
  };
  const pretty = reporters.some((r) => r.format === 'pretty') ? new PrettyReporter(io.stdout, mode === 'rescore' ? 'Re-scoring' : 'Running') : undefined;
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

/** `--shard i/n`: this worker's stable share of the scenarios (by id hash), within --scenario if given. */
async function shardIds(workspaceDir: string, spec: string, only: string[] | undefined): Promise<string[]> {
  let shard;
  try {
    shard = parseShard(spec);
  } catch (error) {
    if (error instanceof ShardSpecError) throw new UsageError(error.message);
    throw error;
  }
  const ids = (await loadWorkspace(workspaceDir)).scenarios.map((s) => s.def.id).filter((id) => !only || only.includes(id));
  return shardScenarios(ids, shard.index, shard.total);
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
