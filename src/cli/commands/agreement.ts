import type { CliCommand } from '../command';
import { defineOptions, EXIT, WORKSPACE_OPTION } from '../command';
import { parseCliArgs, resolveWorkspace } from '../args';
import { computeAgreement, formatAgreement, type AgreementReport } from '../../core/golden/agreement';
import { evaluateOnTraces } from '../../core/golden/evaluateOnTraces';
import { GoldenSetupError, goldenModelClient, loadGoldenJudge } from '../../core/golden/goldenWorkspace';
import { latestVerdicts } from '../../core/golden/judgeVerdicts';
import { listGoldenJudges } from '../../core/golden/store';
import { valueChoices } from '../../core/golden/values';
import { MODEL_SETUP_HINT } from '../../core/llm/fromEnv';
import { warnUnapprovedKeyEnv } from '../modelKey';

const OPTIONS = defineOptions({
  judge: { type: 'string', multiple: true, arg: 'ID', help: 'only this judge (repeatable)', otherwise: 'every judge with a golden set (golden/*.jsonl)' },
  evaluate: { type: 'boolean', help: 'judge the labelled traces now instead of reading their verdicts from run reports' },
  json: { type: 'boolean', help: 'print the reports as JSON' },
  workspace: WORKSPACE_OPTION,
});

export const agreementCommand: CliCommand = {
  name: 'agreement',
  summary: 'Judge/human agreement on the golden set: accuracy, Cohen\'s κ, confusion matrix, disagreements',
  usage: 'costar agreement [options]',
  options: OPTIONS,
  examples: ['costar agreement', 'costar agreement --judge answer-quality --evaluate'],
  notes: "The judge's opinion is its value when that fits the judge's value type, else its pass/fail (bool and yes/no judges).",
  async run(args, io) {
    const { values } = parseCliArgs(args, OPTIONS);
    const workspaceDir = resolveWorkspace(values.workspace, io.cwd);
    const judgeIds = values.judge ?? (await listGoldenJudges(workspaceDir));
    if (judgeIds.length === 0) {
      io.stderr.write(`no golden set in ${workspaceDir}/golden: label traces first (coSTAR: Label Traces in VS Code)\n`);
      return EXIT.usage;
    }
    // Only --evaluate asks the model; reading verdicts from reports does not.
    if (values.evaluate) await warnUnapprovedKeyEnv(io, workspaceDir);
    const reports: AgreementReport[] = [];
    try {
      for (const judgeId of judgeIds) {
        const golden = await loadGoldenJudge(workspaceDir, judgeId);
        for (const warning of golden.warnings) io.stderr.write(`warning: ${warning}\n`);
        if (golden.labels.length === 0) {
          io.stderr.write(`judge ${judgeId}: no labels in golden/${judgeId}.jsonl yet\n`);
          continue;
        }
        let opinions;
        if (values.evaluate) {
          const model = goldenModelClient(workspaceDir, io.env, golden.config);
          if (!model && golden.catalog.isModelBased(judgeId)) {
            io.stderr.write(`cannot evaluate ${judgeId}: ${MODEL_SETUP_HINT}\n`);
            return EXIT.usage;
          }
          const outcome = await evaluateOnTraces(golden.cases, { workspaceDir, catalog: golden.catalog, model });
          for (const f of outcome.failures) io.stderr.write(`warning: ${judgeId} could not rate trace ${f.traceId}: ${f.reason}\n`);
          opinions = outcome.opinions;
        } else {
          opinions = await latestVerdicts(workspaceDir, judgeId, new Set(golden.labels.map((l) => l.traceRef.traceId)), golden.judge.def?.value);
        }
        const order = golden.judge.def ? valueChoices(golden.judge.def.value) : [];
        reports.push(computeAgreement(judgeId, golden.labels, opinions, order));
      }
    } catch (error) {
      if (error instanceof GoldenSetupError) {
        io.stderr.write(`${error.message}\n`);
        return EXIT.usage;
      }
      throw error;
    }
    io.stdout.write(values.json ? `${JSON.stringify(reports, null, 2)}\n` : reports.map(formatAgreement).join('\n'));
    return EXIT.ok;
  },
};
