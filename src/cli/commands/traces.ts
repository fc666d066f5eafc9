import * as path from 'node:path';
import type { CliCommand, CliIo } from '../command';
import { defineOptions, EXIT, UsageError, WORKSPACE_OPTION } from '../command';
import { parseCliArgs, positiveInt, resolveWorkspace, traceIdArg } from '../args';
import { connectMlflow, mlflowFailure } from '../mlflowArgs';
import { MLFLOW_IMPORT_OPTIONS } from '../mlflowOptions';
import { importFromMlflow } from '../../core/mlflow/importTraces';
import { META, spanDurationMs, type Span, type Trace } from '../../core/trace/model';
import { TraceStore } from '../../core/trace/store';
import { readTraceFile } from '../../core/trace/traceFile';
import { toMlflowJson } from '../../core/trace/mlflow';
import { toOtlpJson } from '../../core/trace/otlp';
import { formatDuration } from '../../core/util/duration';
import { MARK } from '../pretty';
import { newestAttemptOfTrace } from '../../core/run/runStore';
import { tracesDir } from '../../core/layout';

const IMPORT_FORMATS = ['auto', 'otlp', 'mlflow'] as const;

const IMPORT_OPTIONS = defineOptions({
  workspace: WORKSPACE_OPTION,
  format: { type: 'string', default: 'auto', arg: 'auto|otlp|mlflow', help: 'the format of the files (auto: recognised from the content)' },
  ...MLFLOW_IMPORT_OPTIONS,
});

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'Store trace files (OTLP JSON/protobuf, MLflow trace JSON, or JSONL of either), or the traces of an MLflow experiment with their assessments, and print their ids',
  usage: 'costar import FILE... [options]\n       costar import --mlflow URL --experiment ID|NAME [--filter F] [--max N]',
  options: IMPORT_OPTIONS,
  examples: ['costar import exported.otlp.json', 'costar import --format mlflow traces/*.json', 'costar import --mlflow http://127.0.0.1:5000 --experiment agents --max 100'],
  notes: 'Exit codes: 0 everything stored, 2 some file or trace could not be read (the others are stored).',
  async run(args, io) {
    const { values, positionals } = parseCliArgs(args, IMPORT_OPTIONS, true);
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
          const conflict = await store.importConflict(trace.info.traceId);
          if (conflict) {
            failures++;
            io.stderr.write(`${file}: ${conflict}\n`);
            continue;
          }
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

const SHOW_OPTIONS = defineOptions({
  workspace: WORKSPACE_OPTION,
  format: { type: 'string', default: 'tree', arg: 'tree|mlflow|otlp', help: 'tree: verdicts, prompt, final output and the span tree; mlflow or otlp: the trace as JSON' },
});

export const traceShowCommand: CliCommand = {
  name: 'trace show',
  summary: 'Print a stored trace as a span tree, MLflow trace JSON or OTLP JSON',
  usage: 'costar trace show TRACE_ID [options]',
  options: SHOW_OPTIONS,
  examples: ['costar trace show 0af7651916cd43dd8448eb211c80319c', 'costar trace show 0af7651916cd43dd8448eb211c80319c --format otlp > trace.otlp.json'],
  async run(args, io) {
    const { values, positionals } = parseCliArgs(args, SHOW_OPTIONS, true);
    const [given] = positionals;
    if (!given || positionals.length > 1) throw new UsageError('name exactly one trace id');
    const id = traceIdArg(given);
    const format = values.format as (typeof SHOW_FORMATS)[number];
    if (!SHOW_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${SHOW_FORMATS.join(', ')}`);
    const workspaceDir = resolveWorkspace(values.workspace, io.cwd);
    const trace = await new TraceStore(workspaceDir).get(id);
    if (!trace) {
      io.stderr.write(`no trace ${id} in ${tracesDir(workspaceDir)} (list them with: ls ${path.relative(io.cwd, tracesDir(workspaceDir)) || '.'})\n`);
      return EXIT.usage;
    }
    if (format === 'mlflow') io.stdout.write(`${JSON.stringify(toMlflowJson(trace), null, 2)}\n`);
    else if (format === 'otlp') io.stdout.write(`${JSON.stringify(toOtlpJson([trace]), null, 2)}\n`);
    else io.stdout.write(renderTraceText(trace, await newestAttemptOfTrace(workspaceDir, id)));
    return EXIT.ok;
  },
};

type JudgedAttempt = Awaited<ReturnType<typeof newestAttemptOfTrace>>;

/** What a person opening a trace wants first: how it was judged, what was asked, what came out; then the spans. */
function renderTraceText(trace: Trace, judged: JudgedAttempt): string {
  const root = trace.spans.find((s) => s.parentId === null);
  const prompt = typeof root?.inputs === 'object' && root.inputs !== null && typeof (root.inputs as { prompt?: unknown }).prompt === 'string' ? (root.inputs as { prompt: string }).prompt : trace.info.requestPreview;
  const outputs = root?.outputs as { output?: unknown } | undefined;
  const output = outputs && typeof outputs === 'object' && 'output' in outputs ? outputs.output : trace.info.responsePreview;
  const lines = [`trace ${trace.info.traceId} — ${trace.info.state}, ${trace.spans.length} spans, ${formatDuration(trace.info.executionDurationMs)}`];
  if (judged) {
    const { report, scenario, attempt } = judged;
    lines.push(`${report.mode === 'rescore' ? 're-score' : 'run'} ${report.runId}: scenario ${scenario.id} (${scenario.file}:${scenario.line}), attempt ${attempt.attempt}: ${attempt.status}`);
    if (attempt.agentError) lines.push(`  agent: ${indentBlock(attempt.agentError, '    ')}`);
    lines.push('verdicts:');
    if (attempt.verdicts.length === 0) lines.push('  (none)');
    for (const v of attempt.verdicts) lines.push(`  ${MARK[v.outcome]} ${v.name || v.judge} ${v.outcome}: ${indentBlock(v.error ?? v.rationale, '      ')}`);
  } else {
    lines.push('verdicts: none (no stored run judged this trace)');
  }
  lines.push('prompt:', `  ${indentBlock(typeof prompt === 'string' ? prompt : JSON.stringify(prompt ?? ''), '  ')}`);
  lines.push('final output:', `  ${indentBlock(typeof output === 'string' ? output : JSON.stringify(output ?? ''), '  ')}`);
  lines.push('spans:');
  return `${lines.join('\n')}\n${renderTree(trace)}`;
}

/** Up to 40 lines, continuation lines indented under the first. */
function indentBlock(text: string, indent: string): string {
  const all = text.trim().split('\n');
  const shown = all.slice(0, 40);
  if (all.length > shown.length) shown.push(`… ${all.length - shown.length} more lines (costar trace show ID --format mlflow has everything)`);
  return shown.join(`\n${indent}`) || '(empty)';
}

/** A readable span tree: type, name, duration, status, tool name and tokens. */
function renderTree(trace: Trace): string {
  const children = new Map<string | null, Span[]>();
  const ids = new Set(trace.spans.map((s) => s.spanId));
  for (const span of trace.spans) {
    const parent = span.parentId && ids.has(span.parentId) ? span.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  for (const list of children.values()) list.sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));
  const lines: string[] = [];
  const visit = (span: Span, prefix: string, last: boolean) => {
    const extra = [
      span.toolName && span.toolName !== span.name ? `tool=${span.toolName}` : '',
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
