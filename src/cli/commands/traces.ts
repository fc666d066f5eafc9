import * as path from 'node:path';
import type { CliCommand, CliIo } from '../command';
import { EXIT, UsageError } from '../command';
import { parseCliArgs, positiveInt, resolveWorkspace } from '../args';
import { connectMlflow, mlflowFailure } from '../mlflowArgs';
import { importFromMlflow } from '../../core/mlflow/importTraces';
import { META, spanDurationMs, type Span, type Trace } from '../../core/trace/model';
import { TraceStore } from '../../core/trace/store';
import { readTraceFile } from '../../core/trace/traceFile';
import { toMlflowJson } from '../../core/trace/mlflow';
import { toOtlpJson } from '../../core/trace/otlp';
import { formatDuration } from '../../core/util/duration';

const IMPORT_FORMATS = ['auto', 'otlp', 'mlflow'] as const;

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'Store trace files (OTLP JSON/protobuf, MLflow trace JSON, or JSONL of either), or the traces of an MLflow experiment with their assessments, and print their ids',
  usage:
    'costar import FILE... [--format auto|otlp|mlflow] [--workspace DIR]\n' +
    '  costar import --mlflow URL --experiment ID|NAME [--filter "MLFLOW SEARCH FILTER"] [--max N] [--workspace DIR]',
  async run(args, io) {
    const { values, positionals } = parseCliArgs(
      args,
      {
        workspace: { type: 'string', short: 'w' },
        format: { type: 'string', default: 'auto' },
        mlflow: { type: 'string' },
        experiment: { type: 'string' },
        filter: { type: 'string' },
        max: { type: 'string' },
      },
      true,
    );
    if (values.mlflow !== undefined || values.experiment !== undefined) {
      if (positionals.length > 0) throw new UsageError('import either files or --mlflow URL --experiment ID, not both');
      return importMlflow(values, io);
    }
    if (positionals.length === 0) throw new UsageError('name at least one trace file (or --mlflow URL --experiment ID)');
    const format = values.format as (typeof IMPORT_FORMATS)[number];
    if (!IMPORT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${IMPORT_FORMATS.join(', ')}`);
    const store = new TraceStore(resolveWorkspace(values.workspace, io.cwd));
    let failures = 0;
    for (const file of positionals) {
      try {
        for (const trace of await readTraceFile(file, format, io.cwd)) {
          trace.info.metadata[META.source] = 'import';
          trace.info.metadata[META.importedFrom] = path.basename(file);
          await store.put(trace);
          io.stdout.write(`${trace.info.traceId}\t${trace.spans.length} spans\t${file}\n`);
        }
      } catch (error) {
        failures++;
        // readTraceFile's message already starts with the file's path.
        io.stderr.write(`${(error as Error).message}\n`);
      }
    }
    return failures > 0 ? EXIT.usage : EXIT.ok;
  },
};

async function importMlflow(values: { workspace?: string | undefined; mlflow?: string | undefined; experiment?: string | undefined; filter?: string | undefined; max?: string | undefined }, io: CliIo): Promise<number> {
  const max = positiveInt(values.max, '--max');
  const store = new TraceStore(resolveWorkspace(values.workspace, io.cwd));
  try {
    const { rest, experiment } = await connectMlflow(values, io.env);
    const result = await importFromMlflow(rest, experiment, store, { ...(values.filter ? { filter: values.filter } : {}), ...(max ? { max } : {}) });
    for (const warning of result.warnings) io.stderr.write(`warning: ${warning}\n`);
    for (const trace of result.traces) io.stdout.write(`${trace.info.traceId}\t${trace.spans.length} spans\t${trace.info.assessments?.length ?? 0} assessments\n`);
    io.stdout.write(`imported ${result.traces.length} traces from MLflow experiment "${experiment.name}" (id ${experiment.id})\n`);
    return result.warnings.length > 0 ? EXIT.usage : EXIT.ok;
  } catch (error) {
    return mlflowFailure(error, io);
  }
}

const SHOW_FORMATS = ['tree', 'mlflow', 'otlp'] as const;

export const traceShowCommand: CliCommand = {
  name: 'trace show',
  summary: 'Print a stored trace as a span tree, MLflow trace JSON or OTLP JSON',
  usage: 'costar trace show TRACE_ID [--format tree|mlflow|otlp] [--workspace DIR]',
  async run(args, io) {
    const { values, positionals } = parseCliArgs(args, { workspace: { type: 'string', short: 'w' }, format: { type: 'string', default: 'tree' } }, true);
    const [id] = positionals;
    if (!id || positionals.length > 1) throw new UsageError('name exactly one trace id');
    const format = values.format as (typeof SHOW_FORMATS)[number];
    if (!SHOW_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${SHOW_FORMATS.join(', ')}`);
    const workspaceDir = resolveWorkspace(values.workspace, io.cwd);
    const trace = await new TraceStore(workspaceDir).get(id);
    if (!trace) {
      io.stderr.write(`no trace ${id} in ${workspaceDir}/.costar/traces (list them with: ls .costar/traces)\n`);
      return EXIT.usage;
    }
    if (format === 'mlflow') io.stdout.write(`${JSON.stringify(toMlflowJson(trace), null, 2)}\n`);
    else if (format === 'otlp') io.stdout.write(`${JSON.stringify(toOtlpJson([trace]), null, 2)}\n`);
    else io.stdout.write(renderTree(trace));
    return EXIT.ok;
  },
};

/** A readable span tree: type, name, duration, status, tool name and tokens. */
export function renderTree(trace: Trace): string {
  const children = new Map<string | null, Span[]>();
  const ids = new Set(trace.spans.map((s) => s.spanId));
  for (const span of trace.spans) {
    const parent = span.parentId && ids.has(span.parentId) ? span.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  for (const list of children.values()) list.sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));
  const lines = [`trace ${trace.info.traceId} — ${trace.info.state}, ${trace.spans.length} spans, ${formatDuration(trace.info.executionDurationMs)}`];
  const visit = (span: Span, prefix: string, last: boolean) => {
    const extra = [
      span.toolName ? `tool=${span.toolName}` : '',
      span.tokens ? `tokens=${span.tokens.total}` : '',
      span.status.code === 'ERROR' ? `ERROR${span.status.message ? `: ${span.status.message}` : ''}` : '',
    ].filter(Boolean);
    lines.push(`${prefix}${last ? '└─ ' : '├─ '}[${span.spanType}] ${span.name} (${formatDuration(spanDurationMs(span))})${extra.length ? ` ${extra.join(' ')}` : ''}`);
    const kids = children.get(span.spanId) ?? [];
    kids.forEach((kid, i) => visit(kid, `${prefix}${last ? '   ' : '│  '}`, i === kids.length - 1));
  };
  const roots = children.get(null) ?? [];
  roots.forEach((root, i) => visit(root, '', i === roots.length - 1));
  if (trace.artifacts.length) lines.push(`artifacts: ${trace.artifacts.map((a) => `${a.path} (${a.change})`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
