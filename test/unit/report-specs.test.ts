import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseReporterSpecs, writeReports, ReporterSpecError } from '../../src/core/report/reporterSpecs';
import { mixedReport } from './report-fixtures';

test('--reporter junit --out FILE gives the file to the one reporter', () => {
  assert.deepEqual(parseReporterSpecs(['junit'], { out: 'x.xml' }), [{ format: 'junit', path: 'x.xml' }]);
});

test('several --reporter FORMAT:FILE, plus one to standard output', () => {
  assert.deepEqual(parseReporterSpecs(['junit:out.xml', 'json:r.json', 'github']), [
    { format: 'junit', path: 'out.xml' },
    { format: 'json', path: 'r.json' },
    { format: 'github', path: undefined },
  ]);
});

test('--out alone infers the format from the extension', () => {
  assert.deepEqual(parseReporterSpecs([], { out: 'report.xml' }), [{ format: 'junit', path: 'report.xml' }]);
  assert.throws(() => parseReporterSpecs([], { out: 'report.txt' }), /cannot tell the format/);
});

test('bad flags are refused with what to do instead', () => {
  assert.throws(() => parseReporterSpecs(['xml']), (e: Error) => e instanceof ReporterSpecError && /unknown reporter "xml".*json, junit, markdown, github, pretty/.test(e.message));
  assert.throws(() => parseReporterSpecs(['json', 'markdown']), /only one reporter can write to standard output.*--reporter markdown:FILE/);
  assert.throws(() => parseReporterSpecs(['json', 'junit'], { out: 'a' }), /--out applies to exactly one reporter/);
  assert.throws(() => parseReporterSpecs(['json:a.out', 'junit:./a.out']), /two reporters write to .\/a.out/);
  assert.throws(() => parseReporterSpecs(['junit:']), /file after ":" is empty/);
  assert.throws(() => parseReporterSpecs(['pretty:x']), /only writes to the terminal/);
});

test('writeReports writes each file and returns the standard-output reporter', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'costar-report-'));
  const specs = parseReporterSpecs(['junit:out/r.xml', 'json:r.json', 'markdown']);
  const stdout = await writeReports(mixedReport(), specs, { cwd: dir });
  assert.match(stdout, /^## coSTAR run `run-1`/);
  assert.equal(await writeReports(mixedReport(), parseReporterSpecs(['pretty']), { cwd: dir }), '', 'pretty is rendered live by the caller');
  assert.match(await readFile(path.join(dir, 'out/r.xml'), 'utf8'), /<testsuites /);
  assert.equal(JSON.parse(await readFile(path.join(dir, 'r.json'), 'utf8')).runId, 'run-1');
  assert.deepEqual((await readdir(dir)).sort(), ['out', 'r.json'], 'no temp files left behind');
});
