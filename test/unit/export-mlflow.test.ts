/**
 * `costar export --mlflow` against a local HTTP server that plays an MLflow tracking server
 * and checks each request's shape as MLflow's REST API defines it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TraceStore } from '../../src/core/trace/store';
import { saveReport } from '../../src/core/run/runStore';
import type { Trace } from '../../src/core/trace/model';
import { report, scenario, verdict } from './report-fixtures';

const CLI = path.resolve(__dirname, '../../src/cli/main.ts');
const TSX = pathToFileURL(require.resolve('tsx')).href;
const TOKEN = 'secret-token-4711';

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  contentType: string | undefined;
  body: any;
}

async function fakeMlflow(options: { status?: number } = {}) {
  const seen: Seen[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = text ? JSON.parse(text) : undefined;
    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, contentType: req.headers['content-type'], body });
    res.setHeader('Content-Type', 'application/json');
    if (options.status) {
      res.statusCode = options.status;
      res.end(JSON.stringify({ error_code: 'PERMISSION_DENIED', message: 'bad credentials' }));
      return;
    }
    if (req.method === 'POST' && req.url === '/api/3.0/mlflow/traces') {
      const info = body.trace.trace_info;
      res.end(JSON.stringify({ trace: { trace_info: { ...info, tags: { ...info.tags, 'mlflow.artifactLocation': `mlflow-artifacts:/${info.trace_location.mlflow_experiment.experiment_id}/traces/${info.trace_id}/artifacts` } } } }));
    } else if (req.method === 'POST' && /^\/api\/3\.0\/mlflow\/traces\/[^/]+\/assessments$/.test(req.url!)) {
      res.end(JSON.stringify({ assessment: { ...body.assessment, assessment_id: `a-${seen.length}` } }));
    } else if (req.method === 'PUT' && req.url!.startsWith('/api/2.0/mlflow-artifacts/artifacts/')) {
      res.end('{}');
    } else {
      res.statusCode = 404;
      res.end(JSON.stringify({ error_code: 'ENDPOINT_NOT_FOUND', message: `no ${req.method} ${req.url}` }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function costar(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, CLI, ...args], { cwd, env: { ...process.env, MLFLOW_TRACKING_TOKEN: TOKEN } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stdout, stderr }),
    );
  });
}

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

async function workspaceWithRun(): Promise<string> {
  const ws = await mkdtemp(path.join(tmpdir(), 'costar-export-'));
  await writeFile(path.join(ws, 'costar.yaml'), 'agents: {}\n');
  const trace: Trace = {
    info: { traceId: TRACE_ID, requestTime: 1_700_000_000_000, executionDurationMs: 1500, state: 'OK', metadata: {}, tags: {}, requestPreview: 'clean the csv' },
    spans: [
      { spanId: 'b7ad6b7169203331', parentId: null, name: 'agent', spanType: 'AGENT', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001500000000', status: { code: 'OK' }, attributes: {}, events: [], inputs: 'clean the csv' },
      { spanId: '00f067aa0ba902b7', parentId: 'b7ad6b7169203331', name: 'write_file', spanType: 'TOOL', startTimeUnixNano: '1700000000100000000', endTimeUnixNano: '1700000000200000000', status: { code: 'OK' }, attributes: { path: 'features.py' }, events: [], toolName: 'write_file' },
    ],
    artifacts: [],
  };
  await new TraceStore(ws).put(trace);
  const verdicts = [
    verdict('file-exists', 'passed', 'features.py exists', { spanIds: ['00f067aa0ba902b7'] }),
    verdict('no-leakage', 'failed', 'uses the label column'),
    verdict('helpfulness', 'error', 'model unreachable'),
    verdict('tone', 'skipped', '', { error: 'no model configured' }),
  ];
  const sc = scenario('skewed-income', 'error', verdicts, { traceId: TRACE_ID });
  sc.attempts[0]!.traceId = TRACE_ID;
  await saveReport(ws, report('20240101-000000000-aaaaaa', [sc]));
  return ws;
}

test('export creates the trace (StartTraceV3), uploads its spans and logs one assessment per judged verdict', async () => {
  const ws = await workspaceWithRun();
  const server = await fakeMlflow();
  try {
    const result = await costar(['export', '--mlflow', `${server.url}/`, '--experiment', '7'], ws);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^tr-${TRACE_ID}\\t3 assessments\\n`));
    assert.ok(!result.stdout.includes(TOKEN) && !result.stderr.includes(TOKEN), 'the token is never printed');

    assert.deepEqual(server.seen.map((r) => `${r.method} ${r.url}`), [
      'POST /api/3.0/mlflow/traces',
      `PUT /api/2.0/mlflow-artifacts/artifacts/7/traces/tr-${TRACE_ID}/artifacts/traces.json`,
      `POST /api/3.0/mlflow/traces/tr-${TRACE_ID}/assessments`,
      `POST /api/3.0/mlflow/traces/tr-${TRACE_ID}/assessments`,
      `POST /api/3.0/mlflow/traces/tr-${TRACE_ID}/assessments`,
    ]);
    assert.ok(server.seen.every((r) => r.auth === `Bearer ${TOKEN}` && r.contentType === 'application/json'));

    const info = server.seen[0]!.body.trace.trace_info;
    assert.equal(info.trace_id, `tr-${TRACE_ID}`);
    assert.deepEqual(info.trace_location, { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: '7' } });
    assert.equal(info.request_time, '2023-11-14T22:13:20.000Z');
    assert.equal(info.execution_duration, '1.5s');
    assert.equal(info.state, 'OK');
    assert.equal(info.request_preview, 'clean the csv');
    assert.equal(info.trace_metadata['costar.run_id'], '20240101-000000000-aaaaaa');
    assert.equal(info.trace_metadata['costar.scenario_id'], 'skewed-income');
    assert.equal(info.assessments, undefined);

    const spans = server.seen[1]!.body.spans;
    assert.equal(spans.length, 2);
    assert.equal(Buffer.from(spans[1].span_id, 'base64').toString('hex'), '00f067aa0ba902b7');
    assert.equal(Buffer.from(spans[1].parent_span_id, 'base64').toString('hex'), 'b7ad6b7169203331');

    const [passed, failed, errored] = server.seen.slice(2).map((r) => r.body.assessment);
    assert.deepEqual(
      { name: passed.assessment_name, trace: passed.trace_id, span: passed.span_id, source: passed.source, feedback: passed.feedback, rationale: passed.rationale },
      { name: 'file-exists', trace: `tr-${TRACE_ID}`, span: '00f067aa0ba902b7', source: { source_type: 'CODE', source_id: 'costar:file-exists@1' }, feedback: { value: true }, rationale: 'features.py exists' },
    );
    assert.deepEqual(failed.feedback, { value: false });
    assert.equal(failed.metadata['costar.outcome'], 'failed');
    assert.deepEqual(errored.feedback, { error: { error_code: 'COSTAR_JUDGE_ERROR', error_message: 'helpfulness could not finish' } }, 'an error is never a value');
    assert.match(passed.create_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  } finally {
    await server.close();
  }
});

test('a refused request stops the export with the server message and a hint, never the token', async () => {
  const ws = await workspaceWithRun();
  const server = await fakeMlflow({ status: 403 });
  try {
    const result = await costar(['export', '--mlflow', server.url, '--experiment', '7'], ws);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /HTTP 403 PERMISSION_DENIED: bad credentials \(check MLFLOW_TRACKING_TOKEN/);
    assert.ok(!result.stderr.includes(TOKEN));
  } finally {
    await server.close();
  }
});

test('usage errors: missing flags, a URL that is not http', async () => {
  const ws = await workspaceWithRun();
  assert.match((await costar(['export', '--experiment', '7'], ws)).stderr, /--mlflow URL is required/);
  const notHttp = await costar(['export', '--mlflow', 'file:///tmp', '--experiment', '7'], ws);
  assert.equal(notHttp.code, 2);
  assert.match(notHttp.stderr, /expected an http:\/\/ or https:\/\/ URL/);
});
