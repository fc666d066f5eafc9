/**
 * The harness runs real agent processes (fixtures in test/fixtures/agents) in sandboxes and
 * records a trace for each, whatever the agent does: pass, crash, hang, flood, report spans
 * by file or by OTLP (JSON and protobuf, through the real OpenTelemetry exporters), or nothing.
 * Requires `npm run build` (the harness runs from dist/harness.js, as in production).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { startRun } from '../../src/core/run/client';
import type { HarnessEvent, RunReport } from '../../src/core/run/protocol';
import { TraceStore } from '../../src/core/trace/store';
import type { Trace } from '../../src/core/trace/model';
import { HARNESS, configWithFixtureAgents, isAlive, tempWorkspace } from '../support/workspace';

const agents = {
  pass: ['pass.mjs'],
  crash: ['crash.mjs', '3'],
  segv: ['segv.mjs'],
  hang: ['hang.mjs'],
  flood: ['flood.mjs', String(3 * 1024)],
  tracefile: ['trace-file.mjs'],
  otlpjson: ['otlp.mjs', 'json'],
  otlpproto: ['otlp.mjs', 'proto'],
  silent: ['silent.mjs'],
};

const ws = tempWorkspace({
  'costar.yaml': configWithFixtureAgents(agents, 'defaults: { timeout: 20s, concurrency: 4 }\n'),
  'all.scenario.yaml': `scenarios:
${Object.keys(agents)
  .map(
    (agent) => `  - id: ${agent}
    agent: ${agent}
    prompt: hello from ${agent}
${agent === 'hang' ? '    timeout: 1500ms\n    setup: { env: { PID_FILE: pids.json } }\n' : ''}${
      agent === 'pass' ? '    expectations:\n      - judge: file-exists\n        with: { paths: [answer.txt] }\n' : ''
    }`,
  )
  .join('')}`,
});
after(() => ws.dispose());

let events: HarnessEvent[] = [];
let report: RunReport;
const store = new TraceStore(ws.dir);

async function traceOf(id: string): Promise<Trace> {
  const scenario = report.scenarios.find((s) => s.id === id)!;
  assert.ok(scenario.traceId, `scenario ${id} has a trace`);
  return (await store.get(scenario.traceId))!;
}

describe('the harness running fixture agents', { timeout: 120_000 }, () => {
  it('runs every scenario and reports each outcome', async () => {
    const handle = startRun({ workspaceDir: ws.dir, mode: 'run' }, { harnessPath: HARNESS, onEvent: (e) => events.push(e) });
    report = await handle.done;
    const status = Object.fromEntries(report.scenarios.map((s) => [s.id, s.status]));
    assert.deepEqual(status, {
      pass: 'passed',
      crash: 'error',
      segv: 'error',
      hang: 'error',
      flood: 'passed',
      tracefile: 'passed',
      otlpjson: 'passed',
      otlpproto: 'passed',
      silent: 'passed',
    });
    assert.deepEqual(report.summary, { ...report.summary, total: 9, passed: 6, failed: 0, error: 3, skipped: 0 });
  });

  it('gives the agent its prompt on stdin and in COSTAR_PROMPT, and the scenario as JSON', async () => {
    const trace = await traceOf('pass');
    const root = trace.spans.find((s) => s.parentId === null)!;
    assert.match(String((root.outputs as { stdout: string }).stdout), /prompt=hello from pass scenario=pass/);
    assert.deepEqual(trace.artifacts.map((a) => [a.path, a.change, a.text]), [['answer.txt', 'created', 'you said: hello from pass\n']]);
    const verdict = report.scenarios.find((s) => s.id === 'pass')!.attempts[0]!.verdicts[0]!;
    assert.equal(verdict.outcome, 'passed');
  });

  it('reports a crash as an error with the exit code or signal, never as a failure', async () => {
    const crash = report.scenarios.find((s) => s.id === 'crash')!;
    // The cause is in the message itself, not only in the output pane.
    assert.equal(crash.error, 'the agent exited with code 3; last lines of its stderr:\nabout to fail');
    assert.match(String(((await traceOf('crash')).spans[0]!.outputs as { stderr: string }).stderr), /about to fail/);
    assert.equal(report.scenarios.find((s) => s.id === 'segv')!.error, 'the agent was killed by SIGSEGV');
    assert.equal((await traceOf('segv')).info.state, 'ERROR');
  });

  it('kills the whole process tree of an agent that outlives its timeout', async () => {
    const hang = report.scenarios.find((s) => s.id === 'hang')!;
    assert.match(hang.error!, /timed out after 1.5s; the process tree was killed/);
    const runId = report.runId;
    const pids = JSON.parse(readFileSync(path.join(ws.dir, '.costar', 'sandboxes', runId, 'hang', '1', 'sandbox', 'pids.json'), 'utf8')) as { agent: number; grandchild: number };
    assert.equal(isAlive(pids.agent), false, 'the agent is gone');
    assert.equal(isAlive(pids.grandchild), false, 'its grandchild is gone too');
  });

  it('caps what it keeps of a flood of output, and says how much it dropped', async () => {
    const streamed = events
      .filter((e): e is Extract<HarnessEvent, { type: 'output' }> => e.type === 'output' && e.scenarioId === 'flood')
      .reduce((sum, e) => sum + Buffer.byteLength(e.text), 0);
    assert.equal(streamed, 1024 * 1024, 'exactly the cap is streamed');
    const stdout = String(((await traceOf('flood')).spans[0]!.outputs as { stdout: string }).stdout);
    assert.match(stdout, /\[… \d+ more bytes not kept\]$/);
    assert.ok(stdout.length < 70 * 1024, 'the trace keeps a bounded excerpt');
  });

  it('takes the spans of a trace file written at COSTAR_TRACE_FILE (MLflow JSON, base64 ids)', async () => {
    const trace = await traceOf('tracefile');
    assert.equal(trace.info.metadata['costar.trace_source'], 'file');
    const names = trace.spans.map((s) => s.name);
    assert.deepEqual(names, ['scenario tracefile', 'agent', 'search_docs']);
    const agent = trace.spans.find((s) => s.name === 'agent')!;
    assert.equal(agent.parentId, trace.spans[0]!.spanId, "the agent's root hangs under the harness root");
    assert.equal(trace.spans.find((s) => s.name === 'search_docs')!.parentId, '1111111111111111');
    assert.deepEqual(agent.outputs, 'final answer');
  });

  for (const [id, encoding] of [['otlpjson', 'JSON'], ['otlpproto', 'protobuf']] as const) {
    it(`receives spans over OTLP/HTTP ${encoding} from the real OpenTelemetry exporter`, async () => {
      const trace = await traceOf(id);
      assert.equal(trace.info.metadata['costar.trace_source'], 'otlp');
      const byName = new Map(trace.spans.map((s) => [s.name, s]));
      assert.equal(byName.get('plan')!.spanType, 'AGENT');
      assert.equal(byName.get('plan')!.inputs, 'the prompt');
      assert.deepEqual(byName.get('chat gpt-x')!.tokens, { input: 12, output: 5, total: 17 });
      assert.equal(byName.get('read_file')!.toolName, 'read_file');
      assert.equal(byName.get('read_file')!.parentId, byName.get('plan')!.spanId);
    });
  }

  it('records a root span with prompt, output and exit code for an agent that reports nothing', async () => {
    const trace = await traceOf('silent');
    assert.equal(trace.info.metadata['costar.trace_source'], 'fallback');
    assert.equal(trace.spans.length, 1);
    const root = trace.spans[0]!;
    assert.deepEqual(root.inputs, { prompt: 'hello from silent' });
    assert.equal((root.outputs as { output: string }).output, 'silent agent ran');
    assert.equal((root.outputs as { exit_code: number }).exit_code, 0);
    assert.ok(Number(BigInt(root.endTimeUnixNano) - BigInt(root.startTimeUnixNano)) > 0);
  });

  it('streams progress as events: every attempt starts with a pid and finishes once', () => {
    const started = events.filter((e) => e.type === 'attemptStarted' && e.pid);
    assert.equal(started.length, 9);
    const finished = events.filter((e) => e.type === 'scenarioFinished');
    assert.equal(finished.length, 9);
    assert.equal(events.at(-1)!.type, 'runFinished');
  });
});
