/**
 * Runs agents built on real tracing libraries under the real harness (dist/harness.js) against
 * the scripted model server, and checks what coSTAR stored: the span tree, span types, the two
 * tool calls (one failed), the model calls and their tokens, and the verdicts of the judges that
 * read tool calls (tool-sequence passes, max-tool-errors fails on the one failed call).
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { startRun } from '../../src/core/run/client';
import type { RunReport, ScenarioResult } from '../../src/core/run/protocol';
import { TraceStore } from '../../src/core/trace/store';
import { rootSpans, type Span, type Trace } from '../../src/core/trace/model';
import { computeTraceMetrics } from '../../src/core/judges/metrics';
import { ModelServer, type ChatBody } from '../support/modelServer';
import { HARNESS, REPO_ROOT, tempWorkspace, type TempWorkspace } from '../support/workspace';

export const REAL_AGENTS = path.join(REPO_ROOT, 'test', 'fixtures', 'agents', 'real');
/** The test venv's interpreter (scripts/test-setup/python-venv.sh creates it; `npm run test:libs` runs that first). */
export const VENV_PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python');
export const PROMPT = 'Check data.csv';
/**
 * Token usage the model server reports, per turn: read_file, then run_check, then the answer.
 * One tool per turn: libraries that run a turn's tool calls in parallel (the Vercel AI SDK)
 * would otherwise start them in either order, and tool-sequence would see a race.
 */
export const USAGE = [{ prompt_tokens: 11, completion_tokens: 7 }, { prompt_tokens: 13, completion_tokens: 5 }, { prompt_tokens: 17, completion_tokens: 3 }] as const;

/** A model that asks for read_file, then run_check, and answers once it has seen both results. */
export async function scriptedModel(): Promise<ModelServer> {
  const server = await ModelServer.start();
  server.reply((body: ChatBody) => {
    const results = body.messages.filter((m: { role: string }) => m.role === 'tool').length;
    if (results === 0) return { toolCalls: [{ name: 'read_file', arguments: { path: 'data.csv' } }], usage: USAGE[0] };
    if (results === 1) return { toolCalls: [{ name: 'run_check', arguments: { name: 'lint' } }], usage: USAGE[1] };
    return { content: 'All checks done.', usage: USAGE[2] };
  });
  return server;
}

export interface RealAgent {
  /** Scenario and agent id. */
  id: string;
  command: string[];
  env?: Record<string, string>;
}

export interface RealRun {
  ws: TempWorkspace;
  report: RunReport;
  trace(id: string): Promise<Trace>;
  result(id: string): ScenarioResult;
}

const EXPECTATIONS = `    expectations:
      - judge: tool-sequence
        with: { rules: [{ before: read_file, then: run_check }, { require: read_file }] }
      - judge: max-tool-errors
        with: { max: 0 }
`;

export async function runRealAgents(agents: RealAgent[], model: ModelServer, concurrency = 2): Promise<RealRun> {
  const config = ['agents:'];
  for (const agent of agents) {
    config.push(`  ${agent.id}:`, `    command: ${JSON.stringify(agent.command)}`, '    env:', `      MODEL_BASE_URL: ${JSON.stringify(model.baseUrl)}`);
    for (const [k, v] of Object.entries(agent.env ?? {})) config.push(`      ${k}: ${JSON.stringify(v)}`);
  }
  config.push(`defaults: { timeout: 120s, concurrency: ${concurrency} }`);
  const scenarios = agents.map((a) => `  - id: ${a.id}\n    agent: ${a.id}\n    prompt: ${PROMPT}\n${EXPECTATIONS}`).join('');
  const ws = tempWorkspace({ 'costar.yaml': `${config.join('\n')}\n`, 'libs.scenario.yaml': `scenarios:\n${scenarios}` });
  const output: string[] = [];
  const handle = startRun({ workspaceDir: ws.dir, mode: 'run' }, {
    harnessPath: HARNESS,
    onEvent: (e) => {
      if (e.type === 'output') output.push(`[${e.scenarioId}] ${e.text}`);
    },
  });
  const report = await handle.done;
  const store = new TraceStore(ws.dir);
  const result = (id: string) => {
    const found = report.scenarios.find((s) => s.id === id);
    assert.ok(found, `no result for ${id}`);
    return found;
  };
  return {
    ws,
    report,
    result,
    async trace(id) {
      const r = result(id);
      assert.ok(r.traceId, `${id}: no trace (${r.error ?? ''})\n${output.filter((l) => l.startsWith(`[${id}]`)).join('')}`);
      const trace = await store.get(r.traceId);
      assert.ok(trace, `${id}: trace ${r.traceId} not stored`);
      return trace;
    },
  };
}

export interface ToolTraceExpectations {
  /** Span type the library gives its tool spans (TOOL for all of them). */
  toolType?: string;
  /** Model calls expected with the scripted usage (3 when the library traces the model client). */
  modelCalls: number;
  /** Types that must appear somewhere (e.g. WORKFLOW for Traceloop, AGENT for OpenInference). */
  alsoTypes?: string[];
  /** What the failed call's status says (default: the tool's own error text). */
  errorMessage?: RegExp;
}

/**
 * The assertions every real agent must pass: the agent exited 0, its spans sit under the
 * harness's root in one trace, two tool calls named read_file and run_check with run_check
 * failed (with its message) and read_file OK with its input, model calls typed and with the
 * scripted tokens, and the tool judges' verdicts.
 */
export async function assertToolTrace(run: RealRun, id: string, expect: ToolTraceExpectations): Promise<Trace> {
  const result = run.result(id);
  const attempt = result.attempts.at(-1)!;
  assert.equal(attempt.exitCode, 0, `${id}: the agent exited ${attempt.exitCode}: ${attempt.agentError ?? attempt.error ?? ''}`);
  const trace = await run.trace(id);
  const describe = () => trace.spans.map((s) => `${s.spanType} ${s.name}${s.toolName ? ` tool=${s.toolName}` : ''} ${s.status.code}`).join('\n');
  assert.equal(trace.info.metadata['costar.trace_source'], 'otlp', `${id}: the spans came over OTLP`);
  const roots = rootSpans(trace);
  assert.equal(roots.length, 1, `${id}: one root (the harness's), got ${roots.map((r) => r.name).join(', ')}`);
  assert.ok(trace.spans.length > 3, `${id}: the agent's spans are in the trace:\n${describe()}`);

  const tools = trace.spans.filter((s) => s.spanType === (expect.toolType ?? 'TOOL'));
  const byTool = (name: string): Span => {
    const found = tools.filter((s) => s.toolName === name);
    assert.equal(found.length, 1, `${id}: one ${name} tool span, got ${found.length}:\n${describe()}`);
    return found[0]!;
  };
  const read = byTool('read_file');
  const check = byTool('run_check');
  assert.notEqual(read.status.code, 'ERROR', `${id}: read_file succeeded`);
  assert.match(JSON.stringify(read.inputs ?? null), /data\.csv/, `${id}: read_file's input is read: ${JSON.stringify(read.inputs)}`);
  assert.match(JSON.stringify(read.outputs ?? null), /contents of data\.csv/, `${id}: read_file's output is read: ${JSON.stringify(read.outputs)}`);
  assert.equal(check.status.code, 'ERROR', `${id}: run_check failed`);
  assert.match(check.status.message ?? '', expect.errorMessage ?? /check lint failed/, `${id}: the failure says why`);

  const metrics = computeTraceMetrics(trace);
  assert.equal(metrics.toolCalls, 2, `${id}: metrics count two tool calls:\n${describe()}`);
  assert.equal(metrics.toolErrors, 1, `${id}: and one tool error`);
  if (expect.modelCalls > 0) {
    assert.equal(metrics.modelCalls, expect.modelCalls, `${id}: model calls:\n${describe()}`);
    assert.equal(metrics.inputTokens, USAGE.reduce((n, u) => n + u.prompt_tokens, 0), `${id}: input tokens of the innermost model spans`);
    assert.equal(metrics.outputTokens, USAGE.reduce((n, u) => n + u.completion_tokens, 0), `${id}: output tokens`);
    const models = trace.spans.filter((s) => s.tokens && (s.spanType === 'LLM' || s.spanType === 'CHAT_MODEL'));
    assert.ok(models.some((s) => s.model?.startsWith('test-model')), `${id}: the model name is read: ${models.map((s) => s.model).join(', ')}`);
  }
  for (const type of expect.alsoTypes ?? []) assert.ok(trace.spans.some((s) => s.spanType === type), `${id}: a ${type} span:\n${describe()}`);

  const verdicts = Object.fromEntries(result.attempts.at(-1)!.verdicts.map((v) => [v.judge, v]));
  assert.equal(verdicts['tool-sequence']?.outcome, 'passed', `${id}: tool-sequence sees read_file before run_check: ${verdicts['tool-sequence']?.rationale}`);
  assert.equal(verdicts['max-tool-errors']?.outcome, 'failed', `${id}: max-tool-errors sees the failed call: ${verdicts['max-tool-errors']?.rationale}`);
  assert.deepEqual(verdicts['max-tool-errors']?.spanIds, [check.spanId], `${id}: and cites it`);
  return trace;
}
