import * as path from 'node:path';
import type { CliCommand } from '../command';
import { defineOptions, EXIT, plural, UsageError, WORKSPACE_OPTION } from '../command';
import { parseCliArgs, positiveInt, resolveWorkspace } from '../args';
import { MLFLOW_IMPORT_OPTIONS } from '../mlflowOptions';
import { TraceStore } from '../../core/trace/store';
import { importProduction, PRODUCTION_META } from '../../core/monitor/importProduction';
import { importFromMlflow } from '../../core/mlflow/importTraces';
import { connectMlflow, mlflowFailure } from '../mlflowArgs';
import { loadMonitorConfig, MonitorConfigError } from '../../core/monitor/config';
import { ScoreStore } from '../../core/monitor/scoreStore';
import { scoreProduction } from '../../core/monitor/scoreProduction';
import { loadWorkspaceScorer, unknownMonitorJudges } from '../../core/monitor/scorer';
import { analyzeMonitor } from '../../core/monitor/analyze';
import { renderMonitorText } from '../../core/monitor/renderText';
import { escapeFileName } from '../../core/scenario/yamlSource';
import { describeSkipped } from '../../core/util/files';
import { warnUnapprovedKeyEnv } from '../modelKey';

const IMPORT_OPTIONS = defineOptions({ workspace: WORKSPACE_OPTION, ...MLFLOW_IMPORT_OPTIONS });

export const monitorImportCommand: CliCommand = {
  name: 'monitor import',
  summary: 'Import production traces (OTLP JSON/protobuf, MLflow trace JSON, JSONL of either) from files or folders, or from an MLflow experiment',
  usage: 'costar monitor import DIR|FILE... [options]\n       costar monitor import --mlflow URL --experiment ID|NAME [--filter F] [--max N]',
  options: IMPORT_OPTIONS,
  examples: ['costar monitor import exports/2026-01/', 'costar monitor import prod.jsonl', 'costar monitor import --mlflow http://127.0.0.1:5000 --experiment production'],
  notes: 'Exit codes: 0 everything imported, 2 some file or trace could not be read (the others are imported).',
  async run(args, io) {
    const { values, positionals } = parseCliArgs(args, IMPORT_OPTIONS, true);
    const store = new TraceStore(resolveWorkspace(values.workspace, io.cwd));
    if (values.mlflow !== undefined || values.experiment !== undefined) {
      if (positionals.length > 0) throw new UsageError('import either files or --mlflow URL --experiment ID, not both');
      const max = positiveInt(values.max, '--max');
      try {
        const { rest, experiment } = await connectMlflow(values, io.env);
        // Spans of a stored trace never change: only traces new to the store are fetched.
        const result = await importFromMlflow(rest, experiment, store, {
          ...(values.filter ? { filter: values.filter } : {}),
          ...(max ? { max } : {}),
          skipExisting: true,
          mark: (trace) => (trace.info.metadata[PRODUCTION_META] = 'true'),
        });
        for (const warning of result.warnings) io.stderr.write(`warning: ${warning}\n`);
        io.stdout.write(`imported ${result.traces.length} production traces from MLflow experiment "${experiment.name}" (id ${experiment.id}); ${result.skipped} already stored\n`);
        return result.warnings.length > 0 ? EXIT.usage : EXIT.ok;
      } catch (error) {
        return mlflowFailure(error, io);
      }
    }
    if (positionals.length === 0) throw new UsageError('name at least one trace file or folder (or --mlflow URL --experiment ID)');
    const results = await importProduction(positionals.map((p) => path.resolve(io.cwd, p)), store);
    let traces = 0;
    for (const r of results) {
      if (r.error) io.stderr.write(`${r.error}\n`);
      traces += r.traceIds.length;
    }
    io.stdout.write(`imported ${plural(traces, 'production trace')} from ${plural(results.filter((r) => !r.error).length, 'file')}\n`);
    return results.some((r) => r.error) ? EXIT.usage : EXIT.ok;
  },
};

const REPORT_OPTIONS = defineOptions({ workspace: WORKSPACE_OPTION, json: { type: 'boolean', help: 'print the report as JSON' } });

export const monitorReportCommand: CliCommand = {
  name: 'monitor report',
  summary: 'Score new production traces (sampled per judge) and report pass rates per window with drift alerts (exit 1 on an alert)',
  usage: 'costar monitor report [options]',
  options: REPORT_OPTIONS,
  examples: ['costar monitor report', 'costar monitor report --json > monitor.json'],
  notes: 'Exit codes: 0 no alert, 1 some drift alert, 2 bad costar.monitor.yaml.',
  async run(args, io) {
    const { values } = parseCliArgs(args, REPORT_OPTIONS);
    const workspaceDir = resolveWorkspace(values.workspace, io.cwd);
    let config;
    try {
      config = await loadMonitorConfig(workspaceDir);
    } catch (error) {
      if (error instanceof MonitorConfigError) {
        io.stderr.write(`${error.message}\n`);
        return EXIT.usage;
      }
      throw error;
    }
    // Scoring may ask the model (LLM and agentic judges).
    await warnUnapprovedKeyEnv(io, workspaceDir);
    const { scorer, catalog, problems } = await loadWorkspaceScorer(workspaceDir, io.env);
    for (const p of problems) io.stderr.write(`${escapeFileName(p.file)}:${p.line}:${p.column}: ${p.message}\n`);
    const unknown = unknownMonitorJudges(config.judges, catalog);
    if (unknown.length > 0) {
      io.stderr.write(`costar.monitor.yaml: ${unknown.join('\n')}\n`);
      return EXIT.usage;
    }
    const scored = await scoreProduction(new TraceStore(workspaceDir), new ScoreStore(workspaceDir), config, scorer);
    for (const damaged of scored.skipped) io.stderr.write(`warning: ${describeSkipped(damaged)}\n`);
    const report = analyzeMonitor(scored.observations, scored.metricObservations, config);
    io.stdout.write(values.json ? `${JSON.stringify({ ...report, scoredTraces: scored.scoredTraces }, null, 2)}\n` : renderMonitorText(report));
    return report.alerts.length > 0 ? EXIT.failed : EXIT.ok;
  },
};
