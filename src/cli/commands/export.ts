import type { CliCommand } from '../command';
import { defineOptions, EXIT, UsageError, WORKSPACE_OPTION } from '../command';
import { parseCliArgs, resolveWorkspace } from '../args';
import { resolveRun } from '../../core/run/runStore';
import { TraceStore } from '../../core/trace/store';
import { exportRunToMlflow, type Transport } from '../../core/export/mlflowExport';
import { listGoldenJudges, readLabels, formatGoldenProblem } from '../../core/golden/store';
import type { GoldenLabel } from '../../core/golden/label';
import { connectMlflow, mlflowFailure } from '../mlflowArgs';

const TRANSPORTS = ['auto', 'otlp', 'rest'] as const;
const VIA: Record<string, string> = { otlp: 'OTLP (/v1/traces)', rest: 'REST (StartTraceV3 + traces.json artifact)' };

const OPTIONS = defineOptions({
  mlflow: { type: 'string', arg: 'URL', help: 'the MLflow tracking server (required)', otherwise: 'none: the option is required' },
  experiment: { type: 'string', arg: 'ID|NAME', help: 'the experiment, by id or name (required)', otherwise: 'none: the option is required' },
  'create-experiment': { type: 'boolean', help: 'create the experiment when no experiment has that name' },
  run: { type: 'string', arg: 'ID|latest', help: 'the stored run to export', default: 'latest' },
  transport: { type: 'string', default: 'auto', arg: 'auto|otlp|rest', help: "how spans are sent: OTLP (/v1/traces) or REST (StartTraceV3 + traces.json); auto uses the server's OTLP endpoint when it has one" },
  'no-labels': { type: 'boolean', help: 'leave the golden-set labels out (they are exported as HUMAN assessments)' },
  workspace: WORKSPACE_OPTION,
});

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'Export the traces, verdicts and golden-set labels of a run to an MLflow experiment (token from MLFLOW_TRACKING_TOKEN)',
  usage: 'costar export --mlflow URL --experiment ID|NAME [options]',
  options: OPTIONS,
  examples: ['costar export --mlflow http://127.0.0.1:5000 --experiment 1', 'costar export --mlflow https://mlflow.example.com --experiment agents --create-experiment --run 20260101-120000000-a1b2c3'],
  notes: 'Exit codes: 0 exported, 2 usage or no such run, 3 the tracking server refused or could not be reached.',
  async run(args, io) {
    const { values } = parseCliArgs(args, OPTIONS);
    const transport = values.transport as Transport;
    if (!TRANSPORTS.includes(transport)) throw new UsageError(`--transport must be one of ${TRANSPORTS.join(', ')}`);
    const workspaceDir = resolveWorkspace(values.workspace, io.cwd);
    let report;
    try {
      report = await resolveRun(workspaceDir, values.run);
    } catch (error) {
      io.stderr.write(`${(error as Error).message}\n`);
      return EXIT.usage;
    }
    const labels: GoldenLabel[] = [];
    if (!values['no-labels']) {
      for (const judge of await listGoldenJudges(workspaceDir)) {
        const read = await readLabels(workspaceDir, judge);
        for (const problem of read.problems) io.stderr.write(`warning: ${formatGoldenProblem(problem)}\n`);
        labels.push(...read.labels);
      }
    }
    try {
      const { rest, experiment } = await connectMlflow(values, io.env, values['create-experiment'] ?? false);
      if (experiment.created) io.stdout.write(`created MLflow experiment "${experiment.name}" (id ${experiment.id})\n`);
      const store = new TraceStore(workspaceDir);
      const result = await exportRunToMlflow(report, (id) => store.get(id), rest, { experimentId: experiment.id, transport, labels });
      for (const warning of result.warnings) io.stderr.write(`warning: ${warning}\n`);
      for (const t of result.traces) {
        io.stdout.write(`${t.mlflowTraceId}\t${t.spans} spans\t${t.assessments} new assessments${t.created ? '' : '\t(trace already in MLflow: spans not sent again)'}\n`);
      }
      const created = result.traces.filter((t) => t.created).length;
      const via = result.transport ? ` via ${VIA[result.transport]}` : '';
      io.stdout.write(`exported ${result.traces.length} traces of run ${report.runId} to experiment "${experiment.name}" (id ${experiment.id})${via}: ${created} new, ${result.traces.length - created} already there\n`);
      return EXIT.ok;
    } catch (error) {
      return mlflowFailure(error, io);
    }
  },
};
