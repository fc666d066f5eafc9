/** The options of commands that read traces from an MLflow experiment (`import`, `monitor import`). */
import type { OptionSpec } from './command';

export const MLFLOW_IMPORT_OPTIONS = {
  mlflow: { type: 'string', arg: 'URL', help: 'read the traces of an MLflow experiment from this tracking server instead of files', otherwise: 'read files' },
  experiment: { type: 'string', arg: 'ID|NAME', help: 'the MLflow experiment, by id or name (with --mlflow)', otherwise: 'none: goes with --mlflow' },
  filter: { type: 'string', arg: '"MLFLOW SEARCH FILTER"', help: "an MLflow trace search filter (with --mlflow), e.g. \"attributes.status = 'OK'\"", otherwise: 'every trace' },
  max: { type: 'string', arg: 'N', help: 'most traces read (with --mlflow)', otherwise: 'no limit' },
} as const satisfies Record<string, OptionSpec>;
