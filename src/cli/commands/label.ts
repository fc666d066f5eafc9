import * as os from 'node:os';
import type { CliCommand, CliIo } from '../command';
import { defineOptions, EXIT, plural, UsageError, WORKSPACE_OPTION } from '../command';
import { parseCliArgs, positiveInt, resolveWorkspace, traceIdArg } from '../args';
import { GoldenSetupError, goldenModelClient, loadGoldenJudge } from '../../core/golden/goldenWorkspace';
import { traceRefOf, type GoldenLabel } from '../../core/golden/label';
import { buildQueue } from '../../core/golden/queueSignals';
import { appendLabels, readLabels } from '../../core/golden/store';
import { traceCase } from '../../core/golden/traceCase';
import { valueChoices, valueProblem } from '../../core/golden/values';
import { TraceStore } from '../../core/trace/store';
import { describeSkipped, type SkippedFile } from '../../core/util/files';
import { labelsFromMlflow } from '../../core/golden/fromMlflow';
import { connectMlflow, mlflowFailure } from '../mlflowArgs';
import { warnUnapprovedKeyEnv } from '../modelKey';

const OPTIONS = defineOptions({
  trace: { type: 'string', arg: 'ID', help: 'the stored trace to label (with --value)', otherwise: 'show the queue instead' },
  value: { type: 'string', arg: 'V', help: "your verdict, in the judge's value type (true/false, yes/no, a number, a category)", otherwise: 'none: goes with --trace' },
  rationale: { type: 'string', default: '', arg: 'TEXT', help: 'why (kept with the label)' },
  labeller: { type: 'string', arg: 'NAME', help: 'who labels', otherwise: '$USER' },
  samples: { type: 'string', arg: 'N', help: 'model samples per trace to rank the queue by disagreement (needs a model)', otherwise: '0: report signals only' },
  limit: { type: 'string', arg: 'N', help: 'most traces considered for the queue', otherwise: '50' },
  json: { type: 'boolean', help: 'print the queue as JSON' },
  'from-mlflow': { type: 'string', arg: 'URL', help: "import the HUMAN feedback of an MLflow experiment as labels (with --experiment and --judge)", otherwise: 'label here' },
  experiment: { type: 'string', arg: 'ID|NAME', help: 'the MLflow experiment (with --from-mlflow)', otherwise: 'none: goes with --from-mlflow' },
  judge: { type: 'string', arg: 'JUDGE', help: 'the judge the imported labels are for (with --from-mlflow)', otherwise: 'the JUDGE argument' },
  assessment: { type: 'string', arg: 'NAME', help: 'the MLflow assessment name to import (with --from-mlflow)', otherwise: 'the judge id' },
  filter: { type: 'string', arg: 'F', help: 'an MLflow trace search filter (with --from-mlflow)', otherwise: 'every trace of the experiment' },
  max: { type: 'string', arg: 'N', help: 'most traces read from MLflow (with --from-mlflow)', otherwise: 'no limit' },
  workspace: WORKSPACE_OPTION,
});

export const labelCommand: CliCommand = {
  name: 'label',
  summary: 'Golden set from the terminal: show the uncertainty-first queue of a judge, or add one label',
  usage:
    'costar label JUDGE [--samples N] [--limit N] [--json]   (the queue: traces to label next, and why)\n' +
    '       costar label JUDGE --trace ID --value V [--rationale TEXT]   (add a label to golden/JUDGE.jsonl)\n' +
    '       costar label --from-mlflow URL --experiment ID|NAME --judge JUDGE [--assessment NAME] [--filter F] [--max N]   (HUMAN feedback in MLflow as labels)',
  options: OPTIONS,
  examples: [
    'costar label answer-quality',
    'costar label answer-quality --trace 0af7651916cd43dd8448eb211c80319c --value false --rationale "invents a total"',
    'costar label --from-mlflow http://127.0.0.1:5000 --experiment agents --judge answer-quality',
  ],
  notes: "Exit codes: 0 ok, 2 unknown judge or trace, or a --value that does not fit the judge's value type (the message says what fits).",
  async run(args, io) {
    const { values, positionals } = parseCliArgs(args, OPTIONS, true);
    if (values['from-mlflow'] !== undefined) return labelFromMlflow(values, positionals, io);
    if (positionals.length !== 1) throw new UsageError('name exactly one judge: costar label JUDGE');
    if ((values.trace === undefined) !== (values.value === undefined)) throw new UsageError('--trace and --value go together');
    const workspaceDir = resolveWorkspace(values.workspace, io.cwd);
    try {
      const golden = await loadGoldenJudge(workspaceDir, positionals[0]!);
      const def = golden.judge.def;
      if (!def) throw new GoldenSetupError(`judge ${golden.judge.id} is a built-in check; label judges defined in judge files`);
      const labeller = values.labeller ?? (io.env.USER || os.userInfo().username || 'anonymous');
      const store = new TraceStore(workspaceDir);

      if (values.trace !== undefined) {
        const trace = await store.get(traceIdArg(values.trace));
        if (!trace) throw new GoldenSetupError(`no trace ${values.trace} in ${store.dir}`);
        const value = parseValue(values.value!, valueChoices(def.value));
        const problem = valueProblem(def.value, value);
        if (problem) throw new UsageError(`--value for judge ${golden.judge.id}: ${problem}`);
        const label: GoldenLabel = {
          traceRef: traceRefOf(trace),
          judgeId: golden.judge.id,
          judgeVersion: golden.judge.version,
          value: value as GoldenLabel['value'],
          rationale: values.rationale ?? '',
          labeller,
          time: new Date().toISOString(),
        };
        await appendLabels(workspaceDir, [label]);
        io.stdout.write(`labelled ${trace.info.traceId} for ${golden.judge.id}: ${JSON.stringify(value)} (by ${labeller})\n`);
        return EXIT.ok;
      }

      const mine = new Set((await readLabels(workspaceDir, golden.judge.id)).labels.filter((l) => l.labeller === labeller).map((l) => l.traceRef.traceId));
      // A damaged trace file is skipped with a warning naming it; the others are queued.
      const skipped: SkippedFile[] = [];
      const infos = (await store.list(skipped)).filter((i) => !mine.has(i.traceId)).slice(0, positiveInt(values.limit, '--limit') ?? 50);
      const cases = [];
      for (const info of infos) {
        const trace = await store.getOrSkip(info.traceId, skipped);
        if (trace) cases.push(traceCase(trace, golden.judge.id, golden.scenarios));
      }
      for (const damaged of skipped) io.stderr.write(`warning: ${describeSkipped(damaged)}\n`);
      const samples = positiveInt(values.samples, '--samples') ?? 0;
      if (samples > 0) await warnUnapprovedKeyEnv(io, workspaceDir);
      const model = samples > 0 ? goldenModelClient(workspaceDir, io.env, golden.config) : undefined;
      if (samples > 0 && !model) io.stderr.write('no model configured: ordering by report signals only (no sampling)\n');
      const queue = await buildQueue({ workspaceDir, def, cases, ...(model ? { model } : {}), samples });
      if (values.json) {
        io.stdout.write(`${JSON.stringify(queue.map(({ traceId, score, reasons }) => ({ traceId, score, reasons })), null, 2)}\n`);
      } else {
        io.stdout.write(`${plural(queue.length, 'trace')} to label for ${golden.judge.id} (as ${labeller}), most useful first:\n`);
        const byId = new Map(cases.map((c) => [c.trace.info.traceId, c]));
        for (const item of queue) io.stdout.write(`  ${item.traceId}  ${byId.get(item.traceId)?.scenario.id ?? ''}  score ${item.score.toFixed(2)}: ${item.reasons.join('; ')}\n`);
      }
      return EXIT.ok;
    } catch (error) {
      if (error instanceof GoldenSetupError) {
        io.stderr.write(`${error.message}\n`);
        return EXIT.usage;
      }
      throw error;
    }
  },
};

async function labelFromMlflow(
  values: { workspace?: string | undefined; 'from-mlflow'?: string | undefined; experiment?: string | undefined; judge?: string | undefined; assessment?: string | undefined; filter?: string | undefined; max?: string | undefined },
  positionals: string[],
  io: CliIo,
): Promise<number> {
  const judgeId = values.judge ?? positionals[0];
  if (!judgeId || positionals.length > (values.judge ? 0 : 1)) throw new UsageError('name the judge the labels are for: --judge JUDGE');
  const max = positiveInt(values.max, '--max');
  const workspaceDir = resolveWorkspace(values.workspace, io.cwd);
  try {
    const golden = await loadGoldenJudge(workspaceDir, judgeId);
    const def = golden.judge.def;
    if (!def) throw new GoldenSetupError(`judge ${golden.judge.id} is a built-in check; label judges defined in judge files`);
    const { rest, experiment } = await connectMlflow({ mlflow: values['from-mlflow'], experiment: values.experiment }, io.env);
    const assessment = values.assessment ?? golden.judge.id;
    const result = await labelsFromMlflow(rest, experiment, new TraceStore(workspaceDir), {
      judgeId: golden.judge.id,
      judgeVersion: golden.judge.version,
      def,
      assessment,
      existing: golden.labels,
      ...(values.filter ? { filter: values.filter } : {}),
      ...(max ? { max } : {}),
    });
    for (const warning of result.warnings) io.stderr.write(`warning: ${warning}\n`);
    if (result.labels.length > 0) await appendLabels(workspaceDir, result.labels);
    for (const l of result.labels) io.stdout.write(`${l.traceRef.traceId}\t${JSON.stringify(l.value)}\tby ${l.labeller}\n`);
    io.stdout.write(`imported ${result.labels.length} label${result.labels.length === 1 ? '' : 's'} for ${golden.judge.id} from the HUMAN "${assessment}" feedback of MLflow experiment "${experiment.name}" (id ${experiment.id})\n`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof GoldenSetupError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT.usage;
    }
    return mlflowFailure(error, io);
  }
}

/** "true"/"false" and numbers as such when the judge has such values; anything else stays text. */
function parseValue(text: string, choices: readonly unknown[]): unknown {
  if (text === 'true' || text === 'false') return choices.includes(text) ? text : text === 'true';
  if (text.trim() !== '' && !Number.isNaN(Number(text)) && !choices.includes(text)) return Number(text);
  return text;
}
