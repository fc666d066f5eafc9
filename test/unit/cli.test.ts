/**
 * The `costar` CLI as users and CI meet it: the built dist/cli.js run as a real process on a
 * copy of the bundled example workspace. Requires `npm run build`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { CLI, copyExampleWorkspace, type TempWorkspace } from '../support/workspace';

function costar(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, GITHUB_WORKSPACE: '' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('costar CLI on the example workspace', { timeout: 120_000 }, () => {
  let ws: TempWorkspace;
  before(() => {
    ws = copyExampleWorkspace();
  });
  after(() => ws.dispose());

  it('run: exits 1 when a scenario fails, and the JSON report says which judge failed and why', () => {
    const result = costar(['run', '--reporter', 'json'], ws.dir);
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout);
    const statuses = Object.fromEntries(report.scenarios.map((s: { id: string; status: string }) => [s.id, s.status]));
    assert.deepEqual(statuses, {
      'explains-cleaning': 'passed',
      'clean-customers': 'passed',
      'skewed-income': 'failed',
      'summarize-sales': 'passed',
      'feature-script': 'passed',
    });
    const skewed = report.scenarios.find((s: { id: string }) => s.id === 'skewed-income');
    const failing = skewed.verdicts.find((v: { passed: boolean }) => !v.passed);
    assert.equal(failing.judge, 'robust-imputation');
    assert.match(failing.rationale, /median of the observed values is 47000/);
    assert.match(skewed.traceId, /^[0-9a-f]{32}$/);
    assert.deepEqual(report.summary, { ...report.summary, total: 5, passed: 4, failed: 1, error: 0 });
  });

  it('run: exits 0 when every selected scenario passes, and writes JUnit with --out', () => {
    const result = costar(['run', '--tag', 'smoke', '--reporter', 'junit', '--out', 'junit.xml'], ws.dir);
    assert.equal(result.code, 0, result.stderr);
    const xml = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(path.join(ws.dir, 'junit.xml'), 'utf8'));
    assert.equal(xml.testsuites['@_tests'], '2');
    assert.equal(xml.testsuites['@_failures'], '0');
  });

  it('run --shard: the shards together run every scenario exactly once', () => {
    const seen: string[] = [];
    for (const shard of ['1/3', '2/3', '3/3']) {
      const result = costar(['run', '--shard', shard, '--reporter', 'json'], ws.dir);
      seen.push(...JSON.parse(result.stdout).scenarios.map((s: { id: string }) => s.id));
    }
    assert.deepEqual(seen.sort(), ['clean-customers', 'explains-cleaning', 'feature-script', 'skewed-income', 'summarize-sales']);
  });

  it('rescore: judges the stored traces again without running the agent', () => {
    const before = costar(['run', '--scenario', 'summarize-sales', '--reporter', 'json'], ws.dir);
    const traceId = JSON.parse(before.stdout).scenarios[0].traceId;
    // Break the agent: a re-score must not need it.
    writeFileSync(path.join(ws.dir, 'agents', 'analyst', 'main.mjs'), 'process.exit(9)\n');
    const result = costar(['rescore', '--scenario', 'summarize-sales', '--reporter', 'json'], ws.dir);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.mode, 'rescore');
    assert.equal(report.scenarios[0].traceId, traceId);
    assert.equal(report.scenarios[0].status, 'passed');
  });

  it('validate: every problem as file:line:col, exit 2', () => {
    writeFileSync(path.join(ws.dir, 'suites', 'broken.scenario.yaml'), 'scenarios:\n  - id: broken\n    prompt: hi\n    timeout: soon\n  - id: orphan\n    prompt: hi\n    agent: nobody\n');
    const result = costar(['validate'], ws.dir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /suites\/broken\.scenario\.yaml:4:14: error: .*duration/);
    assert.match(result.stderr, /suites\/broken\.scenario\.yaml:7:12: error: .*nobody/);
    const run = costar(['run'], ws.dir);
    assert.equal(run.code, 2, 'a run refuses a workspace with errors');
  });

  it('import and trace show: an MLflow trace file round-trips through the store', () => {
    const file = path.join(ws.dir, 'incoming.json');
    writeFileSync(
      file,
      JSON.stringify({
        info: { trace_id: 'tr-00112233445566778899aabbccddeeff', request_time: '2026-01-01T00:00:00Z', state: 'OK' },
        data: {
          spans: [
            { trace_id: 'ABEiM0RVZneImaq7zN3u/w==', span_id: 'AAAAAAAAAAE=', parent_span_id: null, name: 'root', start_time_unix_nano: '1767225600000000000', end_time_unix_nano: '1767225601000000000', status: { code: 'STATUS_CODE_OK' }, attributes: { 'mlflow.spanType': '"AGENT"' }, events: [] },
            { trace_id: 'ABEiM0RVZneImaq7zN3u/w==', span_id: 'AAAAAAAAAAI=', parent_span_id: 'AAAAAAAAAAE=', name: 'lookup', start_time_unix_nano: '1767225600100000000', end_time_unix_nano: '1767225600200000000', status: { code: 'STATUS_CODE_ERROR', message: 'boom' }, attributes: { 'mlflow.spanType': '"TOOL"' }, events: [] },
          ],
        },
      }),
    );
    const imported = costar(['import', file], ws.dir);
    assert.equal(imported.code, 0, imported.stderr);
    const id = imported.stdout.split('\t')[0]!;
    assert.equal(id, '00112233445566778899aabbccddeeff');
    const tree = costar(['trace', 'show', id], ws.dir);
    assert.match(tree.stdout, /└─ \[AGENT\] root \(1\.0s\)\n   └─ \[TOOL\] lookup \(100ms\) ERROR: boom/);
    const mlflow = JSON.parse(costar(['trace', 'show', id, '--format', 'mlflow'], ws.dir).stdout);
    assert.equal(mlflow.data.spans.length, 2);
  });

  it('import: a bad file is named once with the line and field, the good ones are still stored', () => {
    writeFileSync(path.join(ws.dir, 'bad.jsonl'), '{"resourceSpans":[]}\n{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]}\n');
    writeFileSync(path.join(ws.dir, 'good.jsonl'), `${JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'a', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] })}\n`);
    const result = costar(['import', 'bad.jsonl', 'good.jsonl'], ws.dir);
    assert.equal(result.code, 2);
    assert.equal(result.stderr.trim(), 'bad.jsonl: line 2: resourceSpans[0].scopeSpans[0].spans[0].traceId: expected a 16-byte (or 4-byte) id as hex (32 digits) or base64, got "xyz"');
    assert.match(result.stdout, /^abab[0-9a-f]{28}\t1 spans\tgood\.jsonl$/m);
  });

  it('usage errors exit 2 and say what to do', () => {
    const result = costar(['run', '--concurrency', 'lots'], ws.dir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--concurrency expects a positive whole number/);
    assert.equal(costar(['frobnicate'], ws.dir).code, 2);
  });
});
