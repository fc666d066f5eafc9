import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareMetrics, computeTraceMetrics, sumMetrics } from '../../src/core/judges/metrics';
import { TraceBuilder } from '../support/traceBuilder';

function agentTrace() {
  const b = new TraceBuilder();
  // The agent span repeats its model call's usage: it must not be counted twice.
  const root = b.span({ name: 'agent', spanType: 'AGENT', durationMs: 900, tokens: { input: 150, output: 30 } });
  b.span({ parent: root, name: 'chat', spanType: 'CHAT_MODEL', startMs: 1, tokens: { input: 100, output: 20 } });
  b.span({ parent: root, name: 'chat', spanType: 'CHAT_MODEL', startMs: 5, tokens: { input: 50, output: 10 } });
  b.span({ parent: root, name: 'read_file', toolName: 'read_file', startMs: 2 });
  b.span({ parent: root, name: 'write_file', toolName: 'write_file', startMs: 3, error: 'EACCES' });
  b.span({ parent: root, name: 'run_tests', toolName: 'run_tests', startMs: 4 });
  b.span({ parent: root, name: 'run_tests', toolName: 'run_tests', startMs: 6 });
  return b.build();
}

test('metrics of a trace: innermost token usage, tool calls and failures, latency, model calls', () => {
  assert.deepEqual(computeTraceMetrics(agentTrace()), {
    inputTokens: 150,
    outputTokens: 30,
    totalTokens: 180,
    toolCalls: 4,
    toolErrors: 1,
    toolFailureRatio: 0.25,
    latencyMs: 900,
    modelCalls: 2,
  });
});

test('a trace without spans has zero metrics and no division by zero', () => {
  const m = computeTraceMetrics(new TraceBuilder().build({ durationMs: 0 }));
  assert.equal(m.toolFailureRatio, 0);
  assert.equal(m.latencyMs, 0);
  assert.equal(m.totalTokens, 0);
});

test('per-run sums recompute the failure ratio from the totals', () => {
  const one = computeTraceMetrics(agentTrace());
  const sum = sumMetrics([one, one]);
  assert.equal(sum.toolCalls, 8);
  assert.equal(sum.totalTokens, 360);
  assert.equal(sum.toolFailureRatio, 0.25);
});

test('compareMetrics flags ×2 rises and halvings, not smaller changes', () => {
  const before = computeTraceMetrics(agentTrace());
  const after = { ...before, totalTokens: 360, latencyMs: 450, toolCalls: 7, toolErrors: 0, toolFailureRatio: 0 };
  const flags = compareMetrics(after, before);
  assert.deepEqual(
    flags.map((f) => [f.metric, f.direction, f.ratio]),
    [
      ['totalTokens', 'up', 2],
      ['toolErrors', 'down', 0],
      ['toolFailureRatio', 'down', 0],
    ],
    'latency halved, but by less than the 1 s floor: noise',
  );
  assert.deepEqual(compareMetrics({ ...before, latencyMs: 4000 }, { ...before, latencyMs: 2000 }).map((f) => [f.metric, f.direction, f.ratio]), [['latencyMs', 'up', 2]]);
  assert.match(flags[0]!.message, /totalTokens ×2 \(180 → 360\)/);
  const fromZero = compareMetrics({ ...before, toolErrors: 3 }, { ...before, toolErrors: 0 });
  assert.deepEqual(fromZero.map((f) => [f.metric, f.ratio]), [['toolErrors', null]]);
});
