/**
 * `costar export` against a real MLflow tracking server with MLflow's basic-auth app: the
 * credentials of MLflow's own environment variables are sent, and a refused request stops the
 * export with the server's message and a hint — never the password.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { CLI, tempWorkspace, type TempWorkspace } from '../support/workspace';
import { startMlflowServer, type MlflowServer } from '../support/mlflowServer';
import { TraceStore } from '../../src/core/trace/store';
import { saveReport } from '../../src/core/run/runStore';
import type { Trace } from '../../src/core/trace/model';
import { report, scenario, verdict } from '../unit/report-fixtures';

const PASSWORD = 'admin-secret-4711';
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
let mlflow: MlflowServer;
let ws: TempWorkspace;

function costar(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args, '--workspace', ws.dir], { cwd: ws.dir, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stdout, stderr }),
    );
  });
}

before(async () => {
  mlflow = await startMlflowServer('mlflow-auth-test', { adminPassword: PASSWORD });
  ws = tempWorkspace({ 'costar.yaml': 'agents: {}\n' });
  const trace: Trace = {
    info: { traceId: TRACE_ID, requestTime: 1_700_000_000_000, executionDurationMs: 1500, state: 'OK', metadata: {}, tags: {}, requestPreview: 'clean the csv' },
    spans: [
      { spanId: 'b7ad6b7169203331', parentId: null, name: 'agent', spanType: 'AGENT', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001500000000', status: { code: 'OK' }, attributes: {}, events: [], inputs: 'clean the csv' },
      { spanId: '00f067aa0ba902b7', parentId: 'b7ad6b7169203331', name: 'write_file', spanType: 'TOOL', startTimeUnixNano: '1700000000100000000', endTimeUnixNano: '1700000000200000000', status: { code: 'OK' }, attributes: { path: 'features.py' }, events: [], toolName: 'write_file' },
    ],
    artifacts: [],
  };
  await new TraceStore(ws.dir).put(trace);
  const sc = scenario('skewed-income', 'failed', [verdict('file-exists', 'passed', 'features.py exists', { spanIds: ['00f067aa0ba902b7'] }), verdict('no-leakage', 'failed', 'uses the label column')]);
  sc.attempts[0]!.traceId = TRACE_ID;
  await saveReport(ws.dir, report('20240101-000000000-aaaaaa', [sc]));
});

after(async () => {
  await mlflow?.stop();
  ws?.dispose();
});

test('wrong credentials: exit 3 with the server message and a hint, the password never printed', async () => {
  const result = await costar(['export', '--mlflow', mlflow.url, '--experiment', 'auth', '--create-experiment'], { MLFLOW_TRACKING_USERNAME: 'admin', MLFLOW_TRACKING_PASSWORD: 'wrong-password' });
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /HTTP 401.*\(check MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME\/PASSWORD\)/s);
  assert.ok(!`${result.stdout}${result.stderr}`.includes('wrong-password'));
});

test('MLflow basic auth from MLFLOW_TRACKING_USERNAME/PASSWORD: the export goes through', async () => {
  const result = await costar(['export', '--mlflow', mlflow.url, '--experiment', 'auth', '--create-experiment'], { MLFLOW_TRACKING_USERNAME: 'admin', MLFLOW_TRACKING_PASSWORD: PASSWORD });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`^created MLflow experiment "auth" \\(id \\d+\\)\\ntr-${TRACE_ID}\\t2 spans\\t2 new assessments\\n`));
  assert.ok(!`${result.stdout}${result.stderr}`.includes(PASSWORD));
});
