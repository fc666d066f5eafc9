import type { CliCommand } from '../command';
import { EXIT, UsageError } from '../command';
import { parseCliArgs, resolveWorkspace } from '../args';
import { resolveRun } from '../../core/run/runStore';
import { TraceStore } from '../../core/trace/store';
import { MlflowRest, MlflowRequestError } from '../../core/export/mlflowRest';
import { exportRunToMlflow } from '../../core/export/mlflowExport';

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'Export the traces and verdicts of a run to an MLflow tracking server (token from MLFLOW_TRACKING_TOKEN)',
  usage: 'costar export --mlflow URL --experiment ID [--run ID|latest] [--workspace DIR]',
  async run(args, io) {
    const { values } = parseCliArgs(args, {
      workspace: { type: 'string', short: 'w' },
      mlflow: { type: 'string' },
      experiment: { type: 'string' },
      run: { type: 'string' },
    });
    if (!values.mlflow) throw new UsageError('--mlflow URL is required (the tracking server, e.g. http://127.0.0.1:5000)');
    if (!values.experiment) throw new UsageError('--experiment ID is required (the experiment id shown in the MLflow UI)');
    const workspaceDir = resolveWorkspace(values.workspace, io.cwd);
    let rest: MlflowRest;
    try {
      rest = new MlflowRest(values.mlflow, {
        ...(io.env.MLFLOW_TRACKING_TOKEN ? { token: io.env.MLFLOW_TRACKING_TOKEN } : {}),
        ...(io.env.MLFLOW_TRACKING_USERNAME ? { username: io.env.MLFLOW_TRACKING_USERNAME, password: io.env.MLFLOW_TRACKING_PASSWORD ?? '' } : {}),
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    let report;
    try {
      report = await resolveRun(workspaceDir, values.run);
    } catch (error) {
      io.stderr.write(`${(error as Error).message}\n`);
      return EXIT.usage;
    }
    const store = new TraceStore(workspaceDir);
    try {
      const result = await exportRunToMlflow(report, (id) => store.get(id), rest, values.experiment);
      for (const warning of result.warnings) io.stderr.write(`warning: ${warning}\n`);
      for (const t of result.traces) io.stdout.write(`${t.mlflowTraceId}\t${t.assessments} assessments${t.spansUploaded ? '' : '\t(spans not uploaded)'}\n`);
      io.stdout.write(`exported ${result.traces.length} traces of run ${report.runId} to experiment ${values.experiment}\n`);
      return EXIT.ok;
    } catch (error) {
      if (error instanceof MlflowRequestError) {
        io.stderr.write(`${error.message}\n`);
        return EXIT.error;
      }
      throw error;
    }
  },
};
