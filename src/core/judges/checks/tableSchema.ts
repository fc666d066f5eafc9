import { z } from 'zod';
import { defineCheck, errored, failed, passed, quote } from './check';
import { parseCsv } from './csv';
import { readArtifactText } from './traceText';

const ColumnType = z.enum(['string', 'number', 'integer', 'boolean', 'date', 'any']);
type ColumnType = z.infer<typeof ColumnType>;
const Column = z.union([ColumnType, z.strictObject({ type: ColumnType, required: z.boolean().default(false) })]);

type Cell = string | number | boolean | null | undefined | object;

/** A CSV/TSV/JSON/JSON-lines table must have the expected columns, with values of the expected types. */
export const tableSchema = defineCheck({
  id: 'table-schema',
  description: 'A CSV, TSV, JSON or JSON-lines table has the expected columns and value types (with: artifact, columns, strict, minRows).',
  args: z.strictObject({
    artifact: z.string().min(1),
    columns: z.record(z.string(), Column).refine((c) => Object.keys(c).length > 0, 'expected at least one column'),
    format: z.enum(['csv', 'tsv', 'json', 'jsonl']).optional().meta({ description: 'Default: from the file extension.' }),
    strict: z.boolean().default(false).meta({ description: 'Refuse columns that are not listed.' }),
    minRows: z.number().int().min(0).default(1),
  }),
  async run(ctx, args) {
    const target = await readArtifactText(ctx, args.artifact);
    if ('missing' in target) return errored(target.missing);
    const format = args.format ?? formatOf(args.artifact);
    if (!format) return errored(`with.format: cannot tell the table format of ${args.artifact} from its extension; set format: csv | tsv | json | jsonl`);

    const table = readTable(target.text, format);
    const evidence = { spanIds: target.spanIds };
    if ('error' in table) return failed(`${target.label} is not a ${format} table: ${table.error}`, evidence);
    const { header, rows, textCells } = table;

    const problems: string[] = [];
    const expected = Object.keys(args.columns);
    const missing = expected.filter((c) => !header.includes(c));
    if (missing.length > 0) problems.push(`missing columns ${missing.map((c) => quote(c)).join(', ')} (found ${header.map((c) => quote(c)).join(', ') || 'none'})`);
    if (args.strict) {
      const extra = header.filter((c) => !expected.includes(c));
      if (extra.length > 0) problems.push(`unexpected columns ${extra.map((c) => quote(c)).join(', ')}`);
    }
    if (rows.length < args.minRows) problems.push(`${rows.length} rows, expected at least ${args.minRows}`);

    const cellProblems: string[] = [];
    for (const [name, spec] of Object.entries(args.columns)) {
      if (!header.includes(name)) continue;
      const { type, required } = typeof spec === 'string' ? { type: spec, required: false } : spec;
      rows.forEach((row, index) => {
        const cell = row[name];
        const empty = cell === undefined || cell === null || cell === '';
        if (empty) {
          if (required) cellProblems.push(`row ${index + 1} column ${quote(name)} is empty`);
        } else if (!hasType(cell, type, textCells)) {
          cellProblems.push(`row ${index + 1} column ${quote(name)}: ${quote(String(typeof cell === 'object' ? JSON.stringify(cell) : cell), 40)} is not ${article(type)}`);
        }
      });
    }
    if (cellProblems.length > 0) {
      const more = cellProblems.length > 5 ? ` (+${cellProblems.length - 5} more)` : '';
      problems.push(cellProblems.slice(0, 5).join('; ') + more);
    }
    if (problems.length > 0) return failed(`${target.label}: ${problems.join('; ')}`, evidence);
    return passed(`${target.label}: ${rows.length} rows with columns ${expected.map((c) => quote(c)).join(', ')} of the expected types`, evidence);
  },
});

function formatOf(file: string): 'csv' | 'tsv' | 'json' | 'jsonl' | undefined {
  const ext = file.toLowerCase().split('.').pop();
  if (ext === 'csv' || ext === 'tsv' || ext === 'json' || ext === 'jsonl') return ext;
  if (ext === 'ndjson') return 'jsonl';
  return undefined;
}

/** CSV cells are all text and judged by their spelling; JSON cells by their JSON type. */
type Table = { header: string[]; rows: Record<string, Cell>[]; textCells: boolean };

function readTable(text: string, format: 'csv' | 'tsv' | 'json' | 'jsonl'): Table | { error: string } {
  if (format === 'csv' || format === 'tsv') {
    const [header, ...body] = parseCsv(text, format === 'csv' ? ',' : '\t');
    if (!header) return { error: 'it is empty' };
    return { header, rows: body.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i]]))), textCells: true };
  }
  let records: unknown[];
  try {
    records = format === 'json' ? (JSON.parse(text) as unknown[]) : text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (!Array.isArray(records)) return { error: 'expected a JSON array of objects' };
  const badRow = records.findIndex((r) => r === null || typeof r !== 'object' || Array.isArray(r));
  if (badRow >= 0) return { error: `row ${badRow + 1} is not an object` };
  const header = [...new Set(records.flatMap((r) => Object.keys(r as object)))];
  return { header, rows: records as Record<string, Cell>[], textCells: false };
}

function hasType(cell: Cell, type: ColumnType, textCells: boolean): boolean {
  if (type === 'any') return true;
  if (typeof cell === 'string' && (textCells || type === 'date' || type === 'string')) {
    const text = cell.trim();
    switch (type) {
      case 'string':
        return true;
      case 'number':
        return text !== '' && Number.isFinite(Number(text));
      case 'integer':
        return /^[-+]?\d+$/.test(text);
      case 'boolean':
        return /^(true|false)$/i.test(text);
      case 'date':
        return /^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text));
    }
  }
  switch (type) {
    case 'string':
      return false;
    case 'number':
      return typeof cell === 'number';
    case 'integer':
      return typeof cell === 'number' && Number.isInteger(cell);
    case 'boolean':
      return typeof cell === 'boolean';
    case 'date':
      return false;
  }
}

function article(type: ColumnType): string {
  return type === 'integer' ? 'an integer' : `a ${type}`;
}
