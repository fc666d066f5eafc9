import type { CliCommand } from '../command';
import { EXIT, UsageError } from '../command';
import { parseCliArgs, resolveWorkspace } from '../args';
import { resolveRun } from '../../core/run/runStore';
import { TraceStore } from '../../core/trace/store';
import { exportRunToMlflow, type Transport } from '../../core/export/mlflowExport';
import { listGoldenJudges, readLabels, formatGoldenProblem } from '../../core/golden/store';
import type { GoldenLabel } from '../../core/golden/label';
import { connectMlflow, mlflowFailure } from '../mlflowArgs';

const TRANSPORTS = ['auto', 'otlp', 'rest'] as const;
const VIA: Record<string, string> = { otlp: 'OTLP (/v1/traces)', rest: 'REST (StartTraceV3 + traces.json artifact)' };

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'Export the traces, verdicts and golden-set labels of a run to an MLflow experiment (token from MLFLOW_TRACKING_TOKEN)',
  usage: 'costar export --mlflow URL --experiment ID|NAME [--create-experiment] [--run ID|latest] [--transport auto|otlp|rest] [--no-labels] [--workspace DIR]',
  async run(args, io) {
    const { values } = parseCliArgs(args, {
      workspace: { type: 'string', short: 'w' },
      mlflow: { type: 'string' },
      experiment: { type: 'string' },
      'create-experiment': { type: 'boolean' },
      run: { type: 'string' },
      transport: { type: 'string', default: 'auto' },
      'no-labels': { type: 'boolean' },
    });
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
