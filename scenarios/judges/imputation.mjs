// A custom coSTAR check (kind `module`): were missing values of a skewed numeric column
// filled with a robust statistic? Mean imputation on a skewed column invents values that no
// typical row has; the median does not. Loaded by the harness, never by the editor.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const parse = (text) => {
  const [header, ...lines] = text.trim().split('\n');
  const columns = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i], v.trim()])));
};
const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const artifactText = (ctx, file) => {
  if (ctx.sandboxDir) return readFileSync(path.join(ctx.sandboxDir, file), 'utf8');
  const artifact = ctx.trace.artifacts.find((a) => a.path === file && a.text !== undefined);
  if (!artifact) throw new Error(`${file} is not among the run's artifacts`);
  return artifact.text;
};

/** The evidence: the span that applied skill.md's rules (its inputs say how to impute) and the write of the output. */
const evidence = (ctx, output) => {
  const last = (match) => ctx.trace.spans.filter(match).at(-1);
  const rules = last((s) => s.name === 'apply_skill_rules');
  const write = last((s) => s.name === 'write_file' && String(s.inputs?.path ?? '').replace(/\\/g, '/').endsWith(output));
  return [rules, write].filter(Boolean).map((s) => s.spanId);
};

/** with: { input: data/x.csv, output: clean.csv, column: income, key: id } */
export default function robustImputation(ctx) {
  const { input, output, column, key = 'id' } = ctx.args;
  const source = parse(artifactText(ctx, input));
  const cleaned = new Map(parse(artifactText(ctx, output)).map((row) => [row[key], row]));
  const observed = source.filter((r) => r[column] !== '').map((r) => Number(r[column]));
  const expected = median(observed);
  const missing = source.filter((r) => r[column] === '');
  const wrong = missing.filter((r) => Math.abs(Number(cleaned.get(r[key])?.[column]) - expected) > 0.01);
  if (wrong.length === 0) {
    return { passed: true, value: expected, spanIds: evidence(ctx, output), rationale: `${missing.length} missing ${column} value(s) were filled with the median (${expected}).` };
  }
  const used = [...new Set(wrong.map((r) => cleaned.get(r[key])?.[column] ?? '(row missing)'))].join(', ');
  const outliers = observed.filter((v) => v > expected * 10);
  return {
    passed: false,
    value: Number(used) || used,
    spanIds: evidence(ctx, output),
    rationale:
      `${wrong.length} of ${missing.length} missing ${column} value(s) were filled with ${used}, but the median of the observed values is ${expected}. ` +
      (outliers.length ? `${outliers.length} outlier(s) (${outliers.join(', ')}) pull the mean far above any typical row: ` : '') +
      `impute skewed numeric columns with the median, not the mean.`,
  };
}
