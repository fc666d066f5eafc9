/**
 * Context an agentic judge sends vs a judge that pastes the whole trace into its prompt, on a
 * generated 5,000-span trace. The agentic session is scripted (the same tool calls a model
 * would make to find failed tool calls) and runs through the real client and the test model
 * server; bytes are counted by the server. Goal: the whole session ≤ 5% of the whole-trace prompt.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadJudgeCatalog } from '../src/core/judges/catalog';
import { evaluateExpectations } from '../src/core/judges/evaluate';
import { OpenAIModelClient } from '../src/core/llm/client';
import { Scenario } from '../src/core/scenario/schema';
import { generateLargeTrace } from '../test/support/traceBuilder';
import { ModelServer, type ChatBody, type ScriptedReply } from '../test/support/modelServer';

async function main() {
  const trace = generateLargeTrace(5000);
  const errorSpan = trace.spans.find((s) => s.status.code === 'ERROR')!;
  const server = await ModelServer.start();
  const ws = await mkdtemp(path.join(tmpdir(), 'costar-context-bench-'));
  try {
    await mkdir(path.join(ws, 'judges'));
    await writeFile(path.join(ws, 'judges', 'recovers.judge.yaml'), 'id: recovers\nkind: agentic\ninstructions: In {{ trace }}, did the agent recover from every failed tool call?\n');
    await writeFile(path.join(ws, 'judges', 'whole.judge.yaml'), 'id: whole\nkind: llm\ninstructions: "Trace:\\n{{ outputs }}\\nDid the agent recover from every failed tool call?"\n');
    const { catalog } = await loadJudgeCatalog(ws, {});
    const call = (name: string, args: unknown): ScriptedReply => ({ toolCalls: [{ name, arguments: args }] });
    const steps: ScriptedReply[] = [
      call('get_trace_info', {}),
      call('search_trace_regex', { pattern: 'ENOENT|error', maxMatches: 20 }),
      call('get_span', { spanId: errorSpan.spanId }),
      call('list_spans', { parentId: errorSpan.parentId, limit: 20 }),
      call('get_span_performance_and_timing_report', { top: 10 }),
      { json: { value: false, rationale: 'failed reads were not retried', spanIds: [errorSpan.spanId] } },
    ];
    server.script({ match: 'get_trace_info', reply: (body: ChatBody) => steps[body.messages.filter((m) => m.role === 'tool').length]! });
    server.reply({ json: { value: false, rationale: 'read the whole trace' } });
    const model = new OpenAIModelClient({ baseUrl: server.baseUrl, model: 'bench', retry: { maxRetries: 0 } });
    const signal = new AbortController().signal;

    const agentic = Scenario.parse({ id: 'a', prompt: 'Fix the build', expectations: [{ judge: 'recovers' }] });
    await evaluateExpectations({ trace, scenario: agentic, workspaceDir: ws, catalog, model, signal });
    const sessionRequests = server.chatRequests.length;
    const sessionBytes = server.chatRequests.reduce((sum, r) => sum + r.bytes, 0);

    // The whole-trace judge: the trace's JSON as the final output the template pastes in.
    server.requests.length = 0;
    const wholeTrace = { ...trace, spans: [{ ...trace.spans[0]!, outputs: { output: JSON.stringify(trace) } }, ...trace.spans.slice(1)] };
    const whole = Scenario.parse({ id: 'w', prompt: 'Fix the build', expectations: [{ judge: 'whole' }] });
    await evaluateExpectations({ trace: wholeTrace, scenario: whole, workspaceDir: ws, catalog, model, signal });
    const wholeBytes = server.chatRequests[0]!.bytes;

    const ratio = sessionBytes / wholeBytes;
    console.table([
      { judge: 'agentic session (all requests)', requests: sessionRequests, bytes: sessionBytes },
      { judge: 'whole trace in one prompt', requests: 1, bytes: wholeBytes },
    ]);
    console.log(`agentic / whole-trace = ${(ratio * 100).toFixed(2)}% (goal ≤ 5%: ${ratio <= 0.05 ? 'met' : 'NOT met'})`);
    if (ratio > 0.05) process.exitCode = 1;
  } finally {
    await server.close();
    await rm(ws, { recursive: true, force: true });
  }
}

void main();
