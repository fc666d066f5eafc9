/** `costar merge` and `costar diff` as a user runs them: a real CLI process on real files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderReport } from '../../src/core/report/render';
import { saveReport } from '../../src/core/run/runStore';
import { report, scenario, verdict } from './report-fixtures';

const CLI = path.resolve(__dirname, '../../src/cli/main.ts');
const TSX = pathToFileURL(require.resolve('tsx')).href;

function costar(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, CLI, ...args], { cwd, env: { ...process.env, GITHUB_WORKSPACE: '' } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stdout, stderr }),
    );
  });
}

test('costar merge writes the merged JUnit and exits like the merged run', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'costar-cli-merge-'));
  await writeFile(path.join(dir, 's1.json'), renderReport(report('ci-42', [scenario('a', 'passed', [verdict('check', 'passed')])]), 'json'));
  await writeFile(path.join(dir, 's2.json'), renderReport(report('ci-42', [scenario('b', 'failed', [verdict('check', 'failed', 'wrong')], { line: 9 })]), 'json'));
  const result = await costar(['merge', 's1.json', 's2.json', '--reporter', 'junit:merged.xml', '--reporter', 'json'], dir);
  assert.equal(result.code, 1, result.stderr);
  assert.equal(JSON.parse(result.stdout).runId, 'ci-42');
  assert.match(await readFile(path.join(dir, 'merged.xml'), 'utf8'), /<testsuites name="costar ci-42" tests="2" failures="1" errors="0" skipped="0"/);
});

test('costar merge of a missing file is a usage error naming it', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'costar-cli-merge-'));
  const result = await costar(['merge', 'nope.json'], dir);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /nope.json: cannot read the report \(ENOENT\)/);
});

test('costar diff compares the latest run with the last green one; exit 1 when something newly fails', async () => {
  const ws = await mkdtemp(path.join(tmpdir(), 'costar-cli-diff-'));
  await writeFile(path.join(ws, 'costar.yaml'), 'agents: {}\n');
  await saveReport(ws, report('20240101-000000000-aaaaaa', [scenario('a', 'passed', [verdict('check', 'passed')])]));
  await saveReport(ws, report('20240102-000000000-bbbbbb', [scenario('a', 'failed', [verdict('check', 'failed', 'now wrong')])]));
  const text = await costar(['diff'], ws);
  assert.equal(text.code, 1, text.stderr);
  assert.match(text.stdout, /Newly failing \(1\):\n  ✗ a .*passed → failed\n      check \[newly-failing\] passed → failed: now wrong/);
  const json = await costar(['diff', '--json', '20240102-000000000-bbbbbb', '20240101-000000000-aaaaaa'], ws);
  assert.equal(json.code, 0, 'b → a fixes the scenario');
  assert.equal(JSON.parse(json.stdout).counts.fixed, 1);
});
