/**
 * `costar export --mlflow` usage errors, decided before any request. Everything that talks to
 * MLflow runs against a real tracking server in test/libs/mlflow.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { saveReport } from '../../src/core/run/runStore';
import { report, scenario, verdict } from './report-fixtures';

const CLI = path.resolve(__dirname, '../../src/cli/main.ts');
const TSX = pathToFileURL(require.resolve('tsx')).href;

function costar(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, CLI, ...args], { cwd }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stdout, stderr }),
    );
  });
}

test('usage errors: missing flags, a URL that is not http, an unknown transport', async () => {
  const ws = await mkdtemp(path.join(tmpdir(), 'costar-export-'));
  await writeFile(path.join(ws, 'costar.yaml'), 'agents: {}\n');
  await saveReport(ws, report('20240101-000000000-aaaaaa', [scenario('a', 'passed', [verdict('file-exists', 'passed', 'ok')])]));
  const noUrl = await costar(['export', '--experiment', '7'], ws);
  assert.equal(noUrl.code, 2);
  assert.match(noUrl.stderr, /--mlflow URL is required/);
  assert.match((await costar(['export', '--mlflow', 'http://127.0.0.1:9'], ws)).stderr, /--experiment ID\|NAME is required/);
  const notHttp = await costar(['export', '--mlflow', 'file:///tmp', '--experiment', '7'], ws);
  assert.equal(notHttp.code, 2);
  assert.match(notHttp.stderr, /expected an http:\/\/ or https:\/\/ URL/);
  const transport = await costar(['export', '--mlflow', 'http://127.0.0.1:9', '--experiment', '7', '--transport', 'carrier-pigeon'], ws);
  assert.equal(transport.code, 2);
  assert.match(transport.stderr, /--transport must be one of auto, otlp, rest/);
});
