/**
 * `--experiment ID|NAME`: an MLflow experiment by id (all digits) or by name, created on request.
 * A name that is all digits is looked up as an id first, then as a name.
 */
import type { MlflowRest } from './rest';

export interface Experiment {
  id: string;
  name: string;
  created: boolean;
}

interface ExperimentResponse {
  experiment?: { experiment_id?: string; name?: string; lifecycle_stage?: string };
}

export class ExperimentNotFound extends Error {}

export async function resolveExperiment(rest: MlflowRest, idOrName: string, create = false): Promise<Experiment> {
  if (/^\d+$/.test(idOrName)) {
    const byId = await rest.getIfExists<ExperimentResponse>('/api/2.0/mlflow/experiments/get', { experiment_id: idOrName });
    if (byId?.experiment?.experiment_id) return usable(byId, idOrName);
  }
  const byName = await rest.getIfExists<ExperimentResponse>('/api/2.0/mlflow/experiments/get-by-name', { experiment_name: idOrName });
  if (byName?.experiment?.experiment_id) return usable(byName, idOrName);
  if (!create) throw new ExperimentNotFound(`no MLflow experiment with id or name "${idOrName}" at ${rest.base} (add --create-experiment to create it)`);
  const created = await rest.postJson<{ experiment_id?: string }>('/api/2.0/mlflow/experiments/create', { name: idOrName });
  if (!created.experiment_id) throw new Error(`MLflow did not return an id for the new experiment "${idOrName}"`);
  return { id: created.experiment_id, name: idOrName, created: true };
}

function usable(response: ExperimentResponse, asked: string): Experiment {
  const e = response.experiment!;
  if (e.lifecycle_stage === 'deleted') throw new ExperimentNotFound(`MLflow experiment "${asked}" is deleted; restore it in MLflow or name another one`);
  return { id: e.experiment_id!, name: e.name ?? asked, created: false };
}
