/** The `--mlflow URL --experiment ID|NAME` pair the MLflow commands share, and how their failures exit. */
import type { CliIo } from './command';
import { EXIT, UsageError } from './command';
import { MlflowRequestError, MlflowRest, mlflowAuthFromEnv } from '../core/mlflow/rest';
import { ExperimentNotFound, resolveExperiment, type Experiment } from '../core/mlflow/experiment';

export async function connectMlflow(
  values: { mlflow?: string | undefined; experiment?: string | undefined },
  env: NodeJS.ProcessEnv,
  create = false,
): Promise<{ rest: MlflowRest; experiment: Experiment }> {
  if (!values.mlflow) throw new UsageError('--mlflow URL is required (the tracking server, e.g. http://127.0.0.1:5000)');
  if (!values.experiment) throw new UsageError('--experiment ID|NAME is required (the experiment id or name shown in the MLflow UI)');
  let rest: MlflowRest;
  try {
    rest = new MlflowRest(values.mlflow, mlflowAuthFromEnv(env));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { rest, experiment: await resolveExperiment(rest, values.experiment, create) };
}

/** A refused or failed MLflow request exits 3 with the server's message; an unknown experiment is a usage error. */
export function mlflowFailure(error: unknown, io: CliIo): number {
  if (error instanceof ExperimentNotFound) {
    io.stderr.write(`${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof MlflowRequestError) {
    io.stderr.write(`${error.message}\n`);
    return EXIT.error;
  }
  throw error;
}
