// Minimal CSV handling for the example agent (no quoted fields: the fixtures have none).

export function parseCsv(text) {
  const [header, ...lines] = text.replace(/\r/g, '').split('\n').filter((l) => l.length > 0);
  const columns = header.split(',').map((c) => c.trim());
  return { columns, rows: lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i], v]))) };
}

export function formatCsv({ columns, rows }) {
  return [columns.join(','), ...rows.map((r) => columns.map((c) => r[c] ?? '').join(','))].join('\n') + '\n';
}

const isNumericColumn = (rows, column) => rows.some((r) => r[column] !== '') && rows.every((r) => r[column] === '' || !Number.isNaN(Number(r[column])));

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Applies the skill's rules; returns the cleaned table and a note per change. */
export function cleanTable(table, skill) {
  const notes = [];
  let rows = table.rows.map((r) => ({ ...r }));
  if (skill.trim_whitespace === 'true') rows = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, (v ?? '').trim()])));
  if (skill.drop_duplicate_rows === 'true') {
    const seen = new Set();
    const before = rows.length;
    rows = rows.filter((r) => {
      const key = JSON.stringify(r);
      return seen.has(key) ? false : (seen.add(key), true);
    });
    if (rows.length < before) notes.push(`Dropped ${before - rows.length} duplicate row(s).`);
  }
  const digits = Number(skill.round_decimals ?? 2);
  for (const column of table.columns.filter((c) => isNumericColumn(rows, c))) {
    const observed = rows.filter((r) => r[column] !== '').map((r) => Number(r[column]));
    const missing = rows.filter((r) => r[column] === '');
    if (missing.length === 0) continue;
    const method = skill.impute_numeric === 'median' ? 'median' : 'mean';
    const value = Number((method === 'median' ? median(observed) : mean(observed)).toFixed(digits));
    for (const row of missing) row[column] = String(value);
    notes.push(`Filled ${missing.length} missing ${column} value(s) with the ${method} (${value}).`);
  }
  return { table: { columns: table.columns, rows }, notes };
}

export function summarize({ columns, rows }, name) {
  const lines = [`# Summary of ${name}`, '', `Rows: ${rows.length}`, ''];
  for (const column of columns.filter((c) => isNumericColumn(rows, c))) {
    const values = rows.filter((r) => r[column] !== '').map((r) => Number(r[column]));
    const total = values.reduce((a, b) => a + b, 0);
    lines.push(`- Total ${column}: ${total.toFixed(2)}`, `- Mean ${column}: ${mean(values).toFixed(2)}`);
  }
  return lines.join('\n') + '\n';
}
