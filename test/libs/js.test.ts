/**
 * JavaScript agents on real tracing libraries (npm devDependencies), run under the harness:
 * the Vercel AI SDK with experimental_telemetry, Traceloop's OpenLLMetry SDK, and OpenInference's
 * OpenAI instrumentation. Requires `npm run build` (the harness runs from dist/).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { ModelServer } from '../support/modelServer';
import { REAL_AGENTS, assertToolTrace, runRealAgents, scriptedModel, type RealRun } from './realAgents';

const node = (script: string) => [process.execPath, path.join(REAL_AGENTS, script)];

describe('JavaScript agents on real tracing libraries', { timeout: 300_000 }, () => {
  let model: ModelServer;
  let run: RealRun;
  before(async () => {
    model = await scriptedModel();
    run = await runRealAgents([
      { id: 'vercel-ai', command: node('vercel-ai.mjs') },
      { id: 'traceloop', command: node('traceloop.mjs') },
      { id: 'openinference-js', command: node('openinference-openai.mjs') },
    ], model);
  });
  after(async () => {
    run?.ws.dispose();
    await model?.close();
  });

  it('Vercel AI SDK: ai.toolCall spans are TOOL calls with name, args and result; doGenerate calls carry model and tokens', async () => {
    const trace = await assertToolTrace(run, 'vercel-ai', { modelCalls: 3 });
    const call = trace.spans.find((s) => s.attributes['ai.operationId'] === 'ai.generateText.doGenerate' && s.tokens)!;
    assert.equal(call.spanType, 'LLM');
    assert.ok(Array.isArray((call.inputs as { messages?: unknown[] }).messages), `the provider call's prompt messages: ${JSON.stringify(call.inputs)}`);
    const outer = trace.spans.find((s) => s.attributes['ai.operationId'] === 'ai.generateText')!;
    assert.equal(outer.outputs, 'All checks done.');
    assert.equal(outer.scope?.name, 'ai', 'the instrumentation scope is kept');
  });

  it('Traceloop: the workflow is a WORKFLOW span, withTool spans are TOOL calls named by traceloop.entity.name', async () => {
    await assertToolTrace(run, 'traceloop', { modelCalls: 3, alsoTypes: ['WORKFLOW'] });
  });

  it('OpenInference (JS): traceAgent/traceTool spans and the instrumented OpenAI client', async () => {
    await assertToolTrace(run, 'openinference-js', { modelCalls: 3, alsoTypes: ['AGENT'] });
  });
});
