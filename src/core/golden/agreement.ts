/**
 * Judge/human agreement for one judge: the human answer per trace (labels resolved, see
 * resolve.ts) against the judge's opinion of the same trace. Traces the judge has no
 * opinion on are counted as `unjudged`, not as disagreements.
 */
import type { GoldenLabel } from './label';
import { cohensKappa, keyOf, type KappaResult, type RatedValue } from './kappa';
import type { JudgeOpinion } from './judgeVerdicts';
import { interLabellerAgreement, resolveLabels, type InterLabellerAgreement, type LabelConflict } from './resolve';

export interface Disagreement {
  traceId: string;
  scenarioId?: string;
  human: RatedValue;
  judge: RatedValue;
  humanRationales: string[];
  judgeRationale: string;
}

export interface AgreementReport {
  judgeId: string;
  /** Traces with at least one label. */
  labelledTraces: number;
  /** Labelled traces without a judge opinion (never judged, or only errors). */
  unjudged: string[];
  /** Human (rows) vs judge (columns). */
  judgeVsHuman: KappaResult;
  disagreements: Disagreement[];
  conflicts: LabelConflict[];
  interLabeller: InterLabellerAgreement[];
  /** Judge versions the opinions came from (agreement of a mix of versions is worth knowing about). */
  judgeVersions: string[];
}

export function computeAgreement(judgeId: string, labels: readonly GoldenLabel[], opinions: ReadonlyMap<string, JudgeOpinion>, order: readonly RatedValue[] = []): AgreementReport {
  const { resolved, conflicts } = resolveLabels(labels);
  const pairs: [RatedValue, RatedValue][] = [];
  const disagreements: Disagreement[] = [];
  const unjudged: string[] = [];
  const versions = new Set<string>();
  for (const human of resolved) {
    const opinion = opinions.get(human.traceId);
    if (!opinion) {
      unjudged.push(human.traceId);
      continue;
    }
    versions.add(opinion.judgeVersion);
    pairs.push([human.value, opinion.value]);
    if (keyOf(human.value) !== keyOf(opinion.value)) {
      const scenarioId = human.labels[0]?.traceRef.scenarioId;
      disagreements.push({
        traceId: human.traceId,
        ...(scenarioId ? { scenarioId } : {}),
        human: human.value,
        judge: opinion.value,
        humanRationales: human.rationales,
        judgeRationale: opinion.rationale,
      });
    }
  }
  return {
    judgeId,
    labelledTraces: resolved.length,
    unjudged,
    judgeVsHuman: cohensKappa(pairs, order),
    disagreements,
    conflicts,
    interLabeller: interLabellerAgreement(labels, order),
    judgeVersions: [...versions].sort(),
  };
}

/** A short plain-text report for terminals. */
export function formatAgreement(report: AgreementReport): string {
  const r = report.judgeVsHuman;
  const lines = [`judge ${report.judgeId}: ${report.labelledTraces} labelled trace${report.labelledTraces === 1 ? '' : 's'}, ${r.n} judged by it`];
  if (report.judgeVersions.length > 0) lines.push(`  judge version${report.judgeVersions.length > 1 ? 's' : ''}: ${report.judgeVersions.join(', ')}`);
  if (report.unjudged.length > 0) lines.push(`  ${report.unjudged.length} labelled trace(s) have no verdict of this judge: re-score them (costar rescore --judge ${report.judgeId}) or use --evaluate`);
  lines.push(`  accuracy ${pct(r.accuracy)}   Cohen's κ ${num(r.kappa)}${r.ci ? ` (95 % CI ${num(r.ci[0])} … ${num(r.ci[1])})` : ''}${r.note ? `   — ${r.note}` : ''}`);
  if (r.n > 0) lines.push(...confusionLines(r));
  if (report.disagreements.length > 0) {
    lines.push(`  disagreements (${report.disagreements.length}):`);
    for (const d of report.disagreements) {
      lines.push(`    ${d.traceId}${d.scenarioId ? ` (${d.scenarioId})` : ''}: human ${String(d.human)}, judge ${String(d.judge)}`);
      lines.push(`      human: ${d.humanRationales.join(' | ') || '(no rationale)'}`);
      lines.push(`      judge: ${d.judgeRationale || '(no rationale)'}`);
    }
  }
  if (report.conflicts.length > 0) {
    lines.push(`  conflicting labels (${report.conflicts.length}):`);
    for (const c of report.conflicts) {
      lines.push(`    ${c.traceId}: ${c.votes.map((v) => `${String(v.value)} by ${v.labellers.join(', ')}`).join('; ')} → ${String(c.resolved)} (${c.how})`);
    }
  }
  for (const pair of report.interLabeller) {
    lines.push(`  labellers ${pair.a} vs ${pair.b}: ${pair.result.n} shared, accuracy ${pct(pair.result.accuracy)}, κ ${num(pair.result.kappa)}${pair.result.note ? ` — ${pair.result.note}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

function confusionLines(r: KappaResult): string[] {
  const names = r.categories.map(String);
  const width = Math.max(6, ...names.map((n) => n.length)) + 2;
  const header = `${'human \\ judge'.padEnd(16)}${names.map((n) => n.padStart(width)).join('')}`;
  return ['  ' + header, ...r.matrix.map((row, i) => `  ${names[i]!.padEnd(16)}${row.map((v) => String(v).padStart(width)).join('')}`)];
}

function pct(value: number | null): string {
  return value === null ? '–' : `${(value * 100).toFixed(1)} %`;
}

function num(value: number | null): string {
  return value === null ? '–' : value.toFixed(3);
}
