/**
 * An agentic judge over a generated 5,000-span trace: a scripted tool session through the
 * real model client and test server. The tools' answers (as the model receives them) are
 * checked against the trace itself; the whole trace never goes into a prompt.
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadJudgeCatalog, type JudgeCatalog } from '../../src/core/judges/catalog';
import { evaluateExpectations } from '../../src/core/judges/evaluate';
import { pruneOldToolResults } from '../../src/core/judges/agentic/agenticJudge';
import { TraceToolbox } from '../../src/core/judges/agentic/traceTools';
import { OpenAIModelClient } from '../../src/core/llm/client';
import type { ChatMessage } from '../../src/core/llm/types';
import { Scenario } from '../../src/core/scenario/schema';
import type { Trace } from '../../src/core/trace/model';
import { artifact, generateLargeTrace, TraceBuilder } from '../support/traceBuilder';
import { ModelServer, type ChatBody, type ScriptedReply } from '../support/modelServer';

let server: ModelServer;
let workspace: string;
let catalog: JudgeCatalog;
const trace: Trace = generateLargeTrace(5000);
const byStart = [...trace.spans].sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));
const toolSpans = byStart.filter((s) => s.spanType === 'TOOL');
const errorSpans = byStart.filter((s) => s.status.code === 'ERROR');

before(async () => {
  server = await ModelServer.start();
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'costar-agentic-'));
  await fs.mkdir(path.join(workspace, 'judges'));
  await fs.writeFile(
    path.join(workspace, 'judges', 'recovers.judge.yaml'),
    'id: recovers\nkind: agentic\ninstructions: In {{ trace }}, did the agent recover from every failed tool call?\nmaxSteps: 8\n',
  );
  await fs.writeFile(path.join(workspace, 'judges', 'looper.judge.yaml'), 'id: looper\nkind: llm\ninstructions: Look at {{ trace }}.\nmaxSteps: 3\n');
  ({ catalog } = await loadJudgeCatalog(workspace, {}));
});
after(async () => {
  await server.close();
  await fs.rm(workspace, { recursive: true, force: true });
});
beforeEach(() => server.reset());

function call(name: string, args: unknown): ScriptedReply {
  return { toolCalls: [{ name, arguments: args }] };
}

/** The n-th reply of a session: step = number of tool results the model has already seen. */
function session(steps: ScriptedReply[]) {
  return (body: ChatBody) => steps[body.messages.filter((m) => m.role === 'tool').length] ?? { content: 'out of script' };
}

function toolAnswer(requestIndex: number): any {
  const messages = server.chatRequests[requestIndex]!.body.messages as { role: string; content: string }[];
  return JSON.parse(messages.filter((m) => m.role === 'tool').at(-1)!.content);
}

async function judge(judgeId: string) {
  const scenario = Scenario.parse({ id: 'build', prompt: 'Fix the failing build', expectations: [{ judge: judgeId }] });
  const model = new OpenAIModelClient({ baseUrl: server.baseUrl, model: 'judge-model', retry: { maxRetries: 0 } });
  const [verdict] = await evaluateExpectations({ trace, scenario, workspaceDir: workspace, catalog, model, signal: new AbortController().signal });
  return verdict!;
}

test('a scripted session pages, searches and times the trace, then answers citing spans', async () => {
  const firstError = errorSpans[0]!;
  server.reply(
    session([
      call('get_trace_info', {}),
      call('list_spans', { spanType: 'TOOL', offset: 100, limit: 20 }),
      call('search_trace_regex', { pattern: 'ENOENT', maxMatches: 5, contextChars: 20 }),
      call('get_span', { spanId: firstError.spanId, maxChars: 100 }),
      call('get_span_performance_and_timing_report', { top: 3 }),
      { json: { value: false, rationale: `the agent never retried after ${firstError.name} failed`, spanIds: [firstError.spanId, 'ffffffffffffffff'] } },
    ]),
  );
  const verdict = await judge('recovers');

  const info = toolAnswer(1);
  assert.equal(info.spanCount, 5000);
  assert.equal(info.errorSpanCount, errorSpans.length);
  assert.equal(info.spanTypes.TOOL, toolSpans.length);

  const page = toolAnswer(2);
  assert.equal(page.total, toolSpans.length);
  assert.deepEqual(page.spans.map((s: { spanId: string }) => s.spanId), toolSpans.slice(100, 120).map((s) => s.spanId));
  assert.equal(page.nextOffset, 120);
  assert.ok(!('inputs' in page.spans[0]), 'list_spans gives metadata only');

  const search = toolAnswer(3);
  assert.equal(search.totalMatches, errorSpans.length);
  assert.deepEqual(search.matches.map((m: { spanId: string }) => m.spanId), errorSpans.slice(0, 5).map((s) => s.spanId));
  assert.equal(search.matches[0].field, 'status');
  assert.match(search.matches[0].context, /ENOENT: no such file/);
  assert.equal(search.nextOffset, 5);

  const span = toolAnswer(4);
  assert.equal(span.spanId, firstError.spanId);
  assert.equal(span.content.length, 100);
  assert.equal(span.nextOffset, 100);
  assert.ok(span.totalChars > 100);
  assert.match(span.content, /"code": "ERROR"/);

  const timing = toolAnswer(5);
  assert.equal(timing.slowestSpans[0].name, 'agent');
  assert.equal(timing.slowestSpans[0].durationMs, 5000 * 2 + 10);
  assert.equal(timing.byType.TOOL.count, toolSpans.length);
  assert.equal(timing.concurrency.maxConcurrent, 1, 'the generated leaf spans run one after another');

  assert.equal(verdict.outcome, 'failed');
  assert.equal(verdict.value, false);
  assert.deepEqual(verdict.spanIds, [firstError.spanId], 'span ids not in the trace are dropped');
  assert.equal(verdict.cost.modelCalls, 6);
  assert.equal(verdict.source, 'LLM_JUDGE');

  const wholeTrace = JSON.stringify(trace).length;
  const largest = Math.max(...server.chatRequests.map((r) => r.bytes));
  assert.ok(largest < wholeTrace * 0.05, `largest request ${largest} B vs trace ${wholeTrace} B`);
  assert.ok(server.chatRequests.every((r) => r.body.tools.length === 8));
});

test('bad tool arguments come back to the model as an error it can correct', async () => {
  server.reply(
    session([
      call('get_span', { spanId: 'nope' }),
      call('list_spans', { limit: 100000 }),
      call('read_artifact', { path: 'missing.txt' }),
      { json: { value: true, rationale: 'fine', spanIds: [] } },
    ]),
  );
  const verdict = await judge('recovers');
  assert.equal(verdict.outcome, 'passed');
  assert.match(toolAnswer(1).error, /no span nope/);
  assert.match(toolAnswer(2).error, /invalid arguments: limit/);
  assert.match(toolAnswer(3).error, /missing\.txt not found/);
});

test('a session that never answers stops at the step cap with an error verdict', async () => {
  server.reply(() => call('get_trace_info', {}));
  const verdict = await judge('looper');
  assert.equal(verdict.outcome, 'error');
  assert.match(verdict.rationale, /step cap \(3\) without answering; raise maxSteps/);
  assert.equal(server.chatRequests.length, 3);
});

test('oldest tool results are pruned when the context would overflow, the latest is kept', () => {
  const big = 'x'.repeat(4000);
  const messages: ChatMessage[] = [
    { role: 'system', content: 'judge' },
    { role: 'user', content: 'question' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'get_span', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'a', content: big },
    { role: 'assistant', content: null, tool_calls: [{ id: 'b', type: 'function', function: { name: 'get_span', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'b', content: big },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'get_span', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'c', content: big },
  ];
  assert.equal(pruneOldToolResults(messages, 1500), 2);
  assert.match(String(messages[3]!.content), /^\[pruned/);
  assert.match(String(messages[5]!.content), /^\[pruned/);
  assert.equal(messages[7]!.content, big);
  assert.equal(pruneOldToolResults(messages, 100_000), 0);
});

test('read_artifact pages text; the timing report computes self time from the union of children', async () => {
  const b = new TraceBuilder();
  const root = b.span({ name: 'agent', spanType: 'AGENT', durationMs: 100 });
  b.span({ parent: root, name: 'a', toolName: 'a', startMs: 10, durationMs: 20 });
  b.span({ parent: root, name: 'b', toolName: 'b', startMs: 20, durationMs: 30 });
  b.span({ parent: root, name: 'c', toolName: 'c', startMs: 90, durationMs: 30 });
  const toolbox = new TraceToolbox(b.build({ artifacts: [artifact('out.txt', 'abcdefghijklmnopqrstuvwxyz')] }));
  assert.deepEqual(await toolbox.call('read_artifact', JSON.stringify({ path: 'out.txt', offset: 10, maxChars: 100 })), { path: 'out.txt', totalChars: 26, offset: 10, content: 'klmnopqrstuvwxyz' });
  const report = (await toolbox.call('get_span_performance_and_timing_report', '{"top": 2}')) as any;
  // Children cover [10, 50) and [90, 100) of the root's [0, 100): 50 ms of self time.
  assert.deepEqual(report.highestSelfTime.map((r: { name: string; selfMs: number }) => [r.name, r.selfMs]), [['agent', 50], ['b', 30]]);
  assert.deepEqual(report.concurrency, { maxConcurrent: 2, atMs: 20 });
  assert.equal(report.byType.TOOL.totalMs, 80);
});
