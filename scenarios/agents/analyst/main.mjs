// The example agent under test: a tiny, deterministic "data analyst". It reads its task from
// stdin (the harness also sets COSTAR_PROMPT), plans with simple rules instead of a model,
// acts through traced tools, and follows the rules in skill.md — which is what Refine edits.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inSpan, shutdownTracing } from './tracing.mjs';
import { readFile, runCheck, writeFile } from './tools.mjs';
import { cleanTable, formatCsv, parseCsv, summarize } from './table.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

function loadSkill() {
  const rules = {};
  for (const line of readFileSync(path.join(here, 'skill.md'), 'utf8').split('\n')) {
    const match = /^- (\w+):\s*(\S+)/.exec(line.trim());
    if (match) rules[match[1]] = match[2];
  }
  return rules;
}

const TASKS = [
  {
    name: 'summarize',
    pattern: /summari[sz]e\s+(\S+\.csv)\s+into\s+(\S+\.md)/i,
    async run([input, output]) {
      const table = parseCsv(await readFile(input));
      await writeFile(output, summarize(table, path.basename(input)));
      return `Wrote a summary of ${table.rows.length} rows of ${input} to ${output}.`;
    },
  },
  {
    name: 'clean',
    pattern: /clean\s+(\S+\.csv).*?\bwrite\s+(\S+\.csv)/i,
    async run([input, output], skill) {
      const table = parseCsv(await readFile(input));
      const { table: cleaned, notes } = await inSpan('apply_skill_rules', 'CHAIN', skill, async () => cleanTable(table, skill));
      await writeFile(output, formatCsv(cleaned));
      return [`Cleaned ${input} into ${output} (${cleaned.rows.length} rows).`, ...notes].join('\n');
    },
  },
  {
    name: 'feature-script',
    pattern: /write\s+(\S+\.mjs)\b.*?(\S+\.csv)/i,
    async run([script, input]) {
      const table = parseCsv(await readFile(input));
      const numeric = table.columns.filter((c) => table.rows.every((r) => r[c] === '' || !Number.isNaN(Number(r[c]))));
      const body = [
        "import { readFileSync } from 'node:fs';",
        '',
        `const [header, ...lines] = readFileSync(${JSON.stringify(input)}, 'utf8').trim().split('\\n');`,
        "const columns = header.split(',');",
        "export const rows = lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i], v])));",
        `export const numericColumns = ${JSON.stringify(numeric)};`,
        'export const features = rows.map((row) => Object.fromEntries(numericColumns.map((c) => [c, Number(row[c] || 0)])));',
        '',
      ].join('\n');
      await writeFile(script, body);
      await runCheck([process.execPath, '--check', script]);
      return `Wrote ${script} with ${numeric.length} numeric features (${numeric.join(', ')}) and checked its syntax.`;
    },
  },
];

async function main() {
  const prompt = (process.env.COSTAR_PROMPT ?? readFileSync(0, 'utf8')).trim();
  const answer = await inSpan('analyst', 'AGENT', prompt, async (span) => {
    const skill = await inSpan('load_skill', 'CHAIN', 'skill.md', async () => loadSkill());
    const task = TASKS.find((t) => t.pattern.test(prompt));
    span.setAttribute('analyst.task', task?.name ?? 'unknown');
    if (!task) throw new Error(`I don't know how to do this task: ${prompt}`);
    return task.run(task.pattern.exec(prompt).slice(1), skill);
  });
  console.log(answer);
}

main()
  .catch((error) => {
    console.error(error.message);
    process.exitCode = 1;
  })
  .finally(shutdownTracing);
