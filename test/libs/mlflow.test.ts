/**
 * coSTAR and a real MLflow tracking server (mlflow from the test venv, SQLite store, proxied
 * artifacts), both ways: the bundled example is run (its LLM judge answered by the local model
 * server), exported, read back with MLflow's own Python client, imported into an empty workspace;
 * labels made in MLflow become golden-set labels; monitoring reads an MLflow experiment.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CLI, copyExampleWorkspace, tempWorkspace, type TempWorkspace } from '../support/workspace';
import { runPython, startMlflowServer, type MlflowServer } from '../support/mlflowServer';
import { ModelServer } from '../support/modelServer';
import { TraceStore } from '../../src/core/trace/store';
import { resolveRun, saveReport } from '../../src/core/run/runStore';
import type { RunReport } from '../../src/core/run/protocol';
import type { Trace } from '../../src/core/trace/model';
import { fromMlflowAssessment } from '../../src/core/trace/assessments';

interface PyTrace {
  trace_id: string;
  experiment_id: string;
  tags: Record<string, string>;
  spans: { span_id: string; parent_id: string | null; name: string; span_type: string; inputs: unknown; outputs: unknown; attributes: Record<string, unknown> }[];
  assessments: { name: string; source_type: string; source_id: string; value: unknown; error_code: string | null; rationale: string | null; metadata: Record<string, string> }[];
}

/** Every trace of an experiment as MLflow's Python client (MlflowClient.search_traces / get_trace) sees it. */
async function mlflowTraces(server: MlflowServer, experimentId: string): Promise<PyTrace[]> {
  return (await runPython(
    server,
    `
import json, sys
from mlflow import MlflowClient
client = MlflowClient()
out = []
for found in client.search_traces(locations=[${JSON.stringify(experimentId)}], max_results=500):
    t = client.get_trace(found.info.trace_id, display=False)
    out.append({
        "trace_id": t.info.trace_id,
        "experiment_id": t.info.experiment_id,
        "tags": t.info.tags,
        "spans": [{"span_id": s.span_id, "parent_id": s.parent_id, "name": s.name, "span_type": s.span_type,
                   "inputs": s.inputs, "outputs": s.outputs, "attributes": s.attributes} for s in t.data.spans],
        "assessments": [{"name": a.name, "source_type": a.source.source_type, "source_id": a.source.source_id,
                         "value": a.value, "error_code": a.error.error_code if a.error else None,
                         "rationale": a.rationale, "metadata": a.metadata or {}} for a in t.info.assessments],
    })
json.dump(out, sys.stdout, default=str)
`,
  )) as PyTrace[];
}

function costar(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, COSTAR_MODEL: '', COSTAR_MODEL_BASE_URL: '', OPENAI_API_KEY: '', ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stdout, stderr }),
    );
  });
}

let mlflow: MlflowServer;
let model: ModelServer;
let example: TempWorkspace;
let report: RunReport;
let experimentId: string;
const local = new Map<string, Trace>();

before(async () => {
  [mlflow, model] = await Promise.all([startMlflowServer('mlflow-test'), ModelServer.start()]);
  model.reply({ json: { value: 'yes', rationale: 'it lists the rows dropped and the values filled' } });
  example = copyExampleWorkspace();
  const run = await costar(['run', '--workspace', example.dir], example.dir, { COSTAR_MODEL_BASE_URL: model.baseUrl, COSTAR_MODEL: 'test-model', OPENAI_API_KEY: 'sk-test' });
  assert.equal(run.code, 1, `the example fails one scenario on purpose:\n${run.stdout}\n${run.stderr}`);
  report = await resolveRun(example.dir, 'latest');
  const store = new TraceStore(example.dir);
  for (const s of report.scenarios) for (const a of s.attempts) local.set(a.traceId!, (await store.get(a.traceId!))!);
  // A golden-set label made in coSTAR, to travel as HUMAN feedback.
  const someTrace = report.scenarios.find((s) => s.id === 'explains-cleaning')!.attempts[0]!.traceId!;
  const label = await costar(['label', 'answer-quality', '--trace', someTrace, '--value', 'yes', '--rationale', 'clear', '--labeller', 'alice', '--workspace', example.dir], example.dir);
  assert.equal(label.code, 0, label.stderr);
});

after(async () => {
  await Promise.all([mlflow?.stop(), model?.close()]);
  example?.dispose();
});

test('export: OTLP ingest, every span with its type, one assessment per verdict with the right source, labels as HUMAN feedback', async () => {
  const result = await costar(['export', '--mlflow', mlflow.url, '--experiment', 'costar-example', '--create-experiment', '--workspace', example.dir], example.dir);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /created MLflow experiment "costar-example" \(id (\d+)\)/);
  experimentId = /\(id (\d+)\)/.exec(result.stdout)![1]!;
  assert.match(result.stdout, /via OTLP \(\/v1\/traces\): 5 new, 0 already there/);

  const traces = await mlflowTraces(mlflow, experimentId);
  assert.equal(traces.length, local.size);
  for (const scenario of report.scenarios) {
    const attempt = scenario.attempts[0]!;
    const mine = local.get(attempt.traceId!)!;
    const theirs = traces.find((t) => t.trace_id === `tr-${attempt.traceId}`);
    assert.ok(theirs, `${scenario.id}: trace in MLflow`);
    assert.equal(theirs.experiment_id, experimentId);
    assert.deepEqual(
      theirs.spans.map((s) => [s.span_id, s.parent_id, s.name, s.span_type]).sort(),
      mine.spans.map((s) => [s.spanId, s.parentId, s.name, s.spanType]).sort(),
      `${scenario.id}: same spans, parents and span types`,
    );
    const toolSpan = mine.spans.find((s) => s.spanType === 'TOOL');
    if (toolSpan) {
      const seen = theirs.spans.find((s) => s.span_id === toolSpan.spanId)!;
      assert.deepEqual(seen.inputs, toolSpan.inputs, 'inputs as MLflow shows them');
      for (const [key, value] of Object.entries(toolSpan.attributes)) assert.deepEqual(seen.attributes[key], value, `attribute ${key}`);
    }
    assert.equal(theirs.tags['costar.scenario_id'], scenario.id);
    assert.equal(theirs.tags['costar.run_id'], report.runId);
    assert.equal(theirs.tags['costar.trace_id'], attempt.traceId);

    const judged = attempt.verdicts.filter((v) => v.outcome !== 'skipped');
    const feedback = theirs.assessments.filter((a) => a.source_type !== 'HUMAN');
    assert.equal(feedback.length, judged.length, `${scenario.id}: one assessment per verdict`);
    for (const verdict of judged) {
      assert.equal(theirs.tags[`costar.judge_version.${verdict.judge}`], verdict.judgeVersion);
      const a = feedback.find((f) => f.metadata['costar.expectation_index'] === String(verdict.expectationIndex))!;
      assert.equal(a.name, verdict.name);
      if (verdict.outcome === 'error') {
        assert.equal(a.error_code, 'COSTAR_JUDGE_ERROR');
      } else {
        assert.deepEqual(a.value, verdict.value ?? verdict.outcome === 'passed', `${scenario.id}/${verdict.name}: same value`);
        assert.equal(a.error_code, null);
      }
      if (verdict.rationale) assert.equal(a.rationale, verdict.rationale);
      if (verdict.judge === 'answer-quality') assert.deepEqual([a.source_type, a.source_id], ['LLM_JUDGE', 'test-model']);
      else assert.deepEqual([a.source_type, a.source_id], ['CODE', verdict.judge]);
    }
  }
  const human = traces.flatMap((t) => t.assessments.filter((a) => a.source_type === 'HUMAN'));
  assert.deepEqual(human.map((a) => [a.name, a.source_id, a.value, a.rationale]), [['answer-quality', 'alice', 'yes', 'clear']]);
});

test('exporting the same run again duplicates nothing', async () => {
  const before = await mlflowTraces(mlflow, experimentId);
  const again = await costar(['export', '--mlflow', mlflow.url, '--experiment', 'costar-example', '--workspace', example.dir], example.dir);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /: 0 new, 5 already there/);
  assert.ok(!/[1-9]\d* new assessments/.test(again.stdout), again.stdout);
  const after_ = await mlflowTraces(mlflow, experimentId);
  assert.equal(after_.length, before.length);
  assert.deepEqual(after_.map((t) => [t.trace_id, t.spans.length, t.assessments.length]).sort(), before.map((t) => [t.trace_id, t.spans.length, t.assessments.length]).sort());
});

test('import back into the workspace that ran them: its run traces are kept, each refused with the reason (exit 2)', async () => {
  const traces = path.join(example.dir, '.costar', 'traces');
  const before = Object.fromEntries(readdirSync(traces).map((f) => [f, readFileSync(path.join(traces, f), 'utf8')]));
  const result = await costar(['import', '--mlflow', mlflow.url, '--experiment', experimentId, '--workspace', example.dir], example.dir);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /is already stored as the trace of scenario "[\w-]+" in run [\w-]+; it was not replaced/);
  assert.match(result.stdout, /imported 0 traces/);
  for (const [file, text] of Object.entries(before)) assert.equal(readFileSync(path.join(traces, file), 'utf8'), text, `${file} unchanged`);
});

test('import into an empty workspace: the same spans and assessments', async () => {
  const ws = tempWorkspace({ 'costar.yaml': 'agents: {}\n' });
  try {
    const result = await costar(['import', '--mlflow', mlflow.url, '--experiment', experimentId, '--workspace', ws.dir], ws.dir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /imported 5 traces/);
    const store = new TraceStore(ws.dir);
    const theirs = await mlflowTraces(mlflow, experimentId);
    for (const [traceId, mine] of local) {
      const back = await store.get(traceId);
      assert.ok(back, `trace ${traceId} imported`);
      // MLflow stores neither span kind, instrumentation scope nor resource (docs/mlflow.md): all else must come back.
      const shape = (t: Trace) => t.spans.map(({ kind: _k, scope: _s, resource: _r, ...span }) => span).sort((a, b) => a.spanId.localeCompare(b.spanId));
      assert.deepEqual(shape(back), shape(mine), `${traceId}: the same spans`);
      const inMlflow = theirs.find((t) => t.trace_id === `tr-${traceId}`)!;
      assert.deepEqual(
        (back.info.assessments ?? []).map((json, n) => fromMlflowAssessment(json, `assessments[${n}]`)!).map((a) => [a.name, a.source.type, a.source.id, a.value ?? null, a.error?.code ?? null]).sort(),
        inMlflow.assessments.map((a) => [a.name, a.source_type, a.source_id, a.value ?? null, a.error_code]).sort(),
        `${traceId}: the same assessments`,
      );
    }
    const limited = await costar(['import', '--mlflow', mlflow.url, '--experiment', experimentId, '--max', '2', '--filter', "tags.`costar.scenario_id` != 'nothing'", '--workspace', ws.dir], ws.dir);
    assert.equal(limited.code, 0, limited.stderr);
    assert.match(limited.stdout, /imported 2 traces/);
    const bad = await costar(['import', '--mlflow', mlflow.url, '--experiment', experimentId, '--filter', 'no such = filter', '--workspace', ws.dir], ws.dir);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /HTTP 400 INVALID_PARAMETER_VALUE/);
  } finally {
    ws.dispose();
  }
});

test('labels made in MLflow become golden-set labels of a judge, once', async () => {
  const target = report.scenarios.find((s) => s.id === 'skewed-income')!.attempts[0]!.traceId!;
  await runPython(mlflow, `
import json, sys, mlflow
from mlflow.entities import AssessmentSource
mlflow.log_feedback(trace_id=${JSON.stringify(`tr-${target}`)}, name="answer-quality", value="no",
    source=AssessmentSource(source_type="HUMAN", source_id="bob"), rationale="the filled income is not plausible")
mlflow.log_feedback(trace_id=${JSON.stringify(`tr-${target}`)}, name="answer-quality", value="maybe",
    source=AssessmentSource(source_type="HUMAN", source_id="carol"))
json.dump({}, sys.stdout)
`);
  const result = await costar(['label', '--from-mlflow', mlflow.url, '--experiment', experimentId, '--judge', 'answer-quality', '--workspace', example.dir], example.dir);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /imported 1 label/);
  assert.match(result.stderr, /carol's "maybe".*expected "yes" or "no"/, 'a value the judge cannot have is skipped with the reason');
  const lines = () => readFileSync(path.join(example.dir, 'golden', 'answer-quality.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const labels = lines();
  assert.deepEqual(labels.map((l) => [l.traceRef.traceId, l.labeller, l.value]).sort(), [[report.scenarios.find((s) => s.id === 'explains-cleaning')!.attempts[0]!.traceId, 'alice', 'yes'], [target, 'bob', 'no']].sort());
  assert.equal(labels.find((l) => l.labeller === 'bob').rationale, 'the filled income is not plausible');
  const again = await costar(['label', '--from-mlflow', mlflow.url, '--experiment', experimentId, '--judge', 'answer-quality', '--workspace', example.dir], example.dir);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /imported 0 labels/);
  assert.equal(lines().length, 2);
});

test('monitoring reads an MLflow experiment: production traces scored and reported', async () => {
  const ws = tempWorkspace({
    'costar.yaml': 'agents: {}\n',
    'costar.monitor.yaml': 'window: 1d\nminSamples: 1\njudges:\n  - judge: max-tool-errors\n    with: { max: 0 }\n',
  });
  try {
    const imported = await costar(['monitor', 'import', '--mlflow', mlflow.url, '--experiment', experimentId, '--workspace', ws.dir], ws.dir);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /imported 5 production traces from MLflow experiment/);
    const report_ = await costar(['monitor', 'report', '--json', '--workspace', ws.dir], ws.dir);
    assert.ok(report_.code === 0 || report_.code === 1, report_.stderr);
    const json = JSON.parse(report_.stdout);
    assert.equal(json.scoredTraces, 5);
  } finally {
    ws.dispose();
  }
});

test('the REST path (StartTraceV3 + traces.json artifact) against the same server', async () => {
  const ws = tempWorkspace({ 'costar.yaml': 'agents: {}\n' });
  try {
    const one = [...local.values()][0]!;
    // A copy under a fresh trace id: MLflow trace ids are unique per server.
    const copy: Trace = structuredClone(one);
    copy.info.traceId = 'ab'.repeat(16);
    await new TraceStore(ws.dir).put(copy);
    const scenario = structuredClone(report.scenarios.find((s) => s.attempts[0]!.traceId === one.info.traceId)!);
    scenario.attempts[0]!.traceId = copy.info.traceId;
    await saveReport(ws.dir, { ...report, runId: '20240101-000000000-bbbbbb', scenarios: [scenario] });
    const result = await costar(['export', '--mlflow', mlflow.url, '--experiment', 'rest-path', '--create-experiment', '--transport', 'rest', '--workspace', ws.dir], ws.dir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /via REST \(StartTraceV3 \+ traces\.json artifact\): 1 new/);
    const id = /\(id (\d+)\)/.exec(result.stdout)![1]!;
    const [theirs] = await mlflowTraces(mlflow, id);
    assert.deepEqual(theirs!.spans.map((s) => [s.span_id, s.name, s.span_type]).sort(), copy.spans.map((s) => [s.spanId, s.name, s.spanType]).sort());
    assert.equal(theirs!.assessments.length, scenario.attempts[0]!.verdicts.filter((v) => v.outcome !== 'skipped').length);
    const back = tempWorkspace({ 'costar.yaml': 'agents: {}\n' });
    try {
      const imported = await costar(['import', '--mlflow', mlflow.url, '--experiment', id, '--workspace', back.dir], back.dir);
      assert.equal(imported.code, 0, imported.stderr);
      assert.equal((await new TraceStore(back.dir).get(copy.info.traceId))!.spans.length, copy.spans.length);
    } finally {
      back.dispose();
    }
  } finally {
    ws.dispose();
  }
});

test('bad input: an unknown experiment, a server that is not there', async () => {
  const unknown = await costar(['export', '--mlflow', mlflow.url, '--experiment', 'no-such-experiment', '--workspace', example.dir], example.dir);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no MLflow experiment with id or name "no-such-experiment".*--create-experiment/);
  const gone = await costar(['import', '--mlflow', 'http://127.0.0.1:9', '--experiment', '1', '--workspace', example.dir], example.dir);
  assert.equal(gone.code, 3);
  assert.match(gone.stderr, /cannot reach the MLflow server/);
});
