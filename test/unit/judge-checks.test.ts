/**
 * Every deterministic check, passing and failing, through the public entry point
 * (evaluateExpectations) on real files: the rationale must name the cause.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadJudgeCatalog, type JudgeCatalog } from '../../src/core/judges/catalog';
import { evaluateExpectations } from '../../src/core/judges/evaluate';
import type { Verdict } from '../../src/core/judges/types';
import { Scenario } from '../../src/core/scenario/schema';
import type { Trace } from '../../src/core/trace/model';
import { artifact, TraceBuilder } from '../support/traceBuilder';

let workspace: string;
let sandbox: string;
let catalog: JudgeCatalog;

before(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'costar-checks-'));
  sandbox = path.join(workspace, 'sandbox');
  await fs.mkdir(path.join(sandbox, 'out'), { recursive: true });
  await fs.writeFile(path.join(sandbox, 'out', 'report.json'), JSON.stringify({ title: 'Q3', total: 12 }));
  await fs.writeFile(path.join(sandbox, 'out', 'bad.json'), JSON.stringify({ title: 7 }));
  await fs.writeFile(path.join(sandbox, 'good.js'), 'console.log("ok")\n');
  await fs.writeFile(path.join(sandbox, 'broken.js'), 'function (\n');
  await fs.writeFile(path.join(sandbox, 'sales.csv'), 'region,amount,date\nnorth,10.5,2024-01-02\n"south, east",7,2024-01-03\n');
  await fs.writeFile(path.join(sandbox, 'bad.csv'), 'region,amount\nnorth,ten\nsouth,\n');
  await fs.writeFile(path.join(workspace, 'schema.json'), JSON.stringify({ type: 'object', required: ['title'], properties: { title: { type: 'string' } } }));
  await fs.mkdir(path.join(workspace, 'judges'));
  await fs.writeFile(
    path.join(workspace, 'judges', 'no-secrets.mjs'),
    `export default function ({ trace, args }) {
       const leaked = trace.artifacts.find((a) => (a.text ?? '').includes(args.secret));
       return leaked ? { passed: false, rationale: 'secret leaked in ' + leaked.path } : { passed: true, rationale: 'no artifact contains the secret' };
     }
     export function broken() { throw new Error('boom from the module'); }\n`,
  );
  ({ catalog } = await loadJudgeCatalog(workspace, {}));
});

after(async () => {
  await fs.rm(workspace, { recursive: true, force: true });
});

function agentTrace(): Trace {
  const b = new TraceBuilder();
  const root = b.span({ name: 'agent', spanType: 'AGENT', inputs: { prompt: 'write the report' }, outputs: { output: 'Report written to out/report.json', stdout: 'step 1\nDONE\n', exit_code: 0 } });
  b.span({ parent: root, name: 'read_file', toolName: 'read_file', startMs: 1 });
  b.span({ parent: root, name: 'extract', startMs: 2, outputs: '{"rows": 3}' });
  b.span({ parent: root, name: 'write_file', toolName: 'write_file', startMs: 3 });
  b.span({ parent: root, name: 'run_tests', toolName: 'run_tests', startMs: 4, error: 'exit 1: 2 tests failed' });
  return b.build({ artifacts: [artifact('out/report.json', JSON.stringify({ title: 'Q3', total: 12 })), artifact('notes.md', '# Notes\nAll good\n')] });
}

function careless(): Trace {
  const b = new TraceBuilder();
  const root = b.span({ name: 'agent', spanType: 'AGENT', outputs: 'done' });
  b.span({ parent: root, name: 'write_file', toolName: 'write_file', startMs: 1 });
  b.span({ parent: root, name: 'read_file', toolName: 'read_file', startMs: 2 });
  b.span({ parent: root, name: 'delete_file', toolName: 'delete_file', startMs: 3, error: 'EPERM' });
  return b.build();
}

async function judge(judgeId: string, args: Record<string, unknown>, options: { trace?: Trace; sandbox?: string | null } = {}): Promise<Verdict> {
  const scenario = Scenario.parse({ id: 's1', prompt: 'write the report', expectations: [{ judge: judgeId, with: args }] });
  const sandboxDir = options.sandbox === null ? undefined : (options.sandbox ?? sandbox);
  const [verdict] = await evaluateExpectations({
    trace: options.trace ?? agentTrace(),
    scenario,
    workspaceDir: workspace,
    ...(sandboxDir ? { sandboxDir } : {}),
    catalog,
    signal: new AbortController().signal,
  });
  return verdict!;
}

function expectVerdict(v: Verdict, outcome: Verdict['outcome'], rationale: RegExp): void {
  assert.equal(v.outcome, outcome, `expected ${outcome}, got ${v.outcome}: ${v.rationale}`);
  assert.match(v.rationale, rationale);
}

test('file-exists passes when files are in the sandbox, fails naming the missing ones', async () => {
  expectVerdict(await judge('file-exists', { paths: ['out/report.json', 'good.js'] }), 'passed', /all 2 files exist/);
  expectVerdict(await judge('file-exists', { paths: ['out/report.json', 'out/summary.md'] }), 'failed', /missing 1 of 2 files: out\/summary\.md/);
});

test('file-exists uses the trace artifacts when the sandbox is gone', async () => {
  expectVerdict(await judge('file-exists', { paths: 'notes.md' }, { sandbox: null }), 'passed', /notes\.md/);
  expectVerdict(await judge('file-exists', { paths: 'good.js' }, { sandbox: null }), 'failed', /good\.js.*sandbox is gone/);
  expectVerdict(await judge('file-exists', { paths: '../etc/passwd' }), 'error', /stay inside/);
});

test('json-schema checks an artifact against an inline schema or a schema file', async () => {
  const schema = { type: 'object', required: ['title', 'total'], properties: { title: { type: 'string' }, total: { type: 'integer' } } };
  expectVerdict(await judge('json-schema', { artifact: 'out/report.json', schema }), 'passed', /artifact out\/report\.json satisfies the schema/);
  expectVerdict(await judge('json-schema', { artifact: 'out/bad.json', schemaFile: 'schema.json' }), 'failed', /\/title must be string/);
  expectVerdict(await judge('json-schema', { artifact: 'notes.md', schema }, { sandbox: null }), 'failed', /notes\.md is not JSON/);
});

test('json-schema checks a span output and cites the span', async () => {
  const v = await judge('json-schema', { span: 'extract', schema: { type: 'object', required: ['rows', 'columns'] } });
  expectVerdict(v, 'failed', /span extract .* must have required property 'columns'/);
  assert.deepEqual(v.spanIds, ['0000000000000003']);
  expectVerdict(await judge('json-schema', { span: 'nope', schema: {} }), 'failed', /no span named "nope"/);
});

test('table-schema accepts a CSV with the expected columns and types (quoted separators included)', async () => {
  expectVerdict(await judge('table-schema', { artifact: 'sales.csv', columns: { region: 'string', amount: 'number', date: 'date' } }), 'passed', /2 rows with columns "region", "amount", "date"/);
});

test('table-schema fails on missing columns, wrong types and empty required cells, naming row and column', async () => {
  const v = await judge('table-schema', { artifact: 'bad.csv', columns: { region: 'string', amount: { type: 'number', required: true }, currency: 'string' } });
  expectVerdict(v, 'failed', /missing columns "currency"/);
  assert.match(v.rationale, /row 1 column "amount": "ten" is not a number/);
  assert.match(v.rationale, /row 2 column "amount" is empty/);
});

test('table-schema reads JSON tables by JSON type and refuses extra columns when strict', async () => {
  const trace = new TraceBuilder();
  trace.span({ name: 'agent', outputs: 'ok' });
  const t = trace.build({ artifacts: [artifact('rows.json', JSON.stringify([{ id: 1, name: 'a' }, { id: '2', name: 'b', extra: true }]))] });
  const v = await judge('table-schema', { artifact: 'rows.json', columns: { id: 'integer', name: 'string' }, strict: true }, { trace: t, sandbox: null });
  expectVerdict(v, 'failed', /unexpected columns "extra"/);
  assert.match(v.rationale, /row 2 column "id": "2" is not an integer/);
});

test('contains looks in the final output, stdout or an artifact, and can require absence', async () => {
  expectVerdict(await judge('contains', { text: 'out/report.json' }), 'passed', /the final output contains "out\/report\.json"/);
  expectVerdict(await judge('contains', { text: 'DONE', in: 'stdout' }), 'passed', /stdout contains "DONE" \(line 2\)/);
  expectVerdict(await judge('contains', { text: ['Notes', 'Risks'], artifact: 'notes.md' }, { sandbox: null }), 'failed', /does not contain "Risks"/);
  expectVerdict(await judge('contains', { text: 'all GOOD', artifact: 'notes.md', ignoreCase: true, not: true }, { sandbox: null }), 'failed', /contains "all GOOD" \(line 2\), which must not appear/);
  expectVerdict(await judge('contains', { text: 'x', in: 'stderr' }), 'error', /no stderr recorded/);
});

test('regex reports the matching line, or that nothing matched; a bad pattern is an error', async () => {
  expectVerdict(await judge('regex', { pattern: '^DONE$', flags: 'm', in: 'stdout' }), 'passed', /matches \/\^DONE\$\/m at line 2/);
  expectVerdict(await judge('regex', { pattern: 'error \\d+' }), 'failed', /has no match for \/error \\d\+\//);
  expectVerdict(await judge('regex', { pattern: 'Report', not: true }), 'failed', /must not appear/);
  expectVerdict(await judge('regex', { pattern: '(' }), 'error', /not a valid RE2 regular expression/);
});

test('command passes on exit 0 and fails with the command output as rationale', async () => {
  expectVerdict(await judge('command', { argv: [process.execPath, '--check', 'good.js'] }), 'passed', /exited 0/);
  const v = await judge('command', { argv: [process.execPath, '--check', 'broken.js'] });
  expectVerdict(v, 'failed', /exited 1/);
  assert.match(v.rationale, /SyntaxError/);
});

test('command runs in a copy of the recorded artifacts when the sandbox is gone', async () => {
  const b = new TraceBuilder();
  b.span({ name: 'agent', outputs: 'ok' });
  const trace = b.build({ artifacts: [artifact('src/main.js', 'const x = ;\n')] });
  const v = await judge('command', { argv: [process.execPath, '--check', 'src/main.js'] }, { trace, sandbox: null });
  expectVerdict(v, 'failed', /copy of the recorded artifacts/);
  assert.match(v.rationale, /SyntaxError/);
});

test('command that outlives its timeout is an error, not a fail; a missing program is an error', async () => {
  expectVerdict(await judge('command', { argv: [process.execPath, '-e', 'setTimeout(() => {}, 60000)'], timeout: '300ms' }), 'error', /did not finish within 300 ms/);
  expectVerdict(await judge('command', { argv: ['no-such-program-costar'] }), 'error', /cannot run no-such-program-costar/);
});

test('tool-sequence passes when every write follows a read, and cites the offending spans when not', async () => {
  const rules = [{ before: 'read_file', then: 'write_file' }];
  expectVerdict(await judge('tool-sequence', { rules }), 'passed', /all rules held: read_file before write_file/);
  const v = await judge('tool-sequence', { rules: [...rules, { forbid: 'delete_*' }, { require: 'run_tests' }] }, { trace: careless() });
  expectVerdict(v, 'failed', /read_file before write_file violated: write_file was called before the first read_file — write_file \(span 0000000000000002 at \+1ms\)/);
  assert.match(v.rationale, /never delete_\* violated: delete_\* was called 1 times — delete_file \(span 0000000000000004/);
  assert.match(v.rationale, /run_tests is called violated: run_tests was never called/);
  assert.deepEqual(v.spanIds.sort(), ['0000000000000002', '0000000000000004']);
});

test('max-tool-errors counts failing tool calls and cites them', async () => {
  const v = await judge('max-tool-errors', {});
  expectVerdict(v, 'failed', /1 of 3 tool calls failed, more than the 0 allowed: run_tests \(span 0000000000000005\): "exit 1: 2 tests failed"/);
  assert.deepEqual(v.spanIds, ['0000000000000005']);
  expectVerdict(await judge('max-tool-errors', { max: 1 }), 'passed', /1 of 3 tool calls failed \(at most 1 allowed\)/);
});

test('module loads a user judge function with its arguments; a throwing module is an error', async () => {
  expectVerdict(await judge('module', { path: 'judges/no-secrets.mjs', secret: 'hunter2' }), 'passed', /no artifact contains the secret/);
  expectVerdict(await judge('module', { path: 'judges/no-secrets.mjs', secret: 'All good' }), 'failed', /secret leaked in notes\.md/);
  expectVerdict(await judge('module', { path: 'judges/no-secrets.mjs', export: 'broken' }), 'error', /threw: boom from the module/);
  expectVerdict(await judge('module', { path: 'judges/missing.mjs' }), 'error', /cannot load judge module judges\/missing\.mjs/);
});

test('an unknown judge or a wrong argument is an error verdict that says what to fix', async () => {
  expectVerdict(await judge('no-such-judge', {}), 'error', /unknown judge "no-such-judge".*file-exists/);
  expectVerdict(await judge('regex', { patern: 'x' }), 'error', /with\.pattern|with: .*patern/);
});

test('verdicts carry bookkeeping: name, index, source CODE, version and a measured cost', async () => {
  const v = await judge('contains', { text: 'Report' });
  assert.equal(v.judge, 'contains');
  assert.equal(v.name, 'contains');
  assert.equal(v.expectationIndex, 0);
  assert.equal(v.source, 'CODE');
  assert.equal(v.judgeVersion, '1');
  assert.equal(v.cost.modelCalls, 0);
  assert.ok(v.cost.ms >= 0);
});
