/**
 * Python agents on real tracing libraries from PyPI (the git-ignored .venv/ of
 * scripts/test-setup/python-venv.sh), run under the harness: the OpenTelemetry SDK by hand with
 * GenAI semconv over OTLP/HTTP and OTLP/gRPC, OpenInference's OpenAI instrumentation, the OpenAI
 * Agents SDK (Responses API) through OpenInference, MLflow's tracing SDK in OTLP mode, and a
 * LangGraph agent through OpenInference's LangChain instrumentation.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { ModelServer } from '../support/modelServer';
import { REAL_AGENTS, VENV_PYTHON, assertToolTrace, runRealAgents, scriptedModel, type RealRun } from './realAgents';

const python = (script: string, ...args: string[]) => [VENV_PYTHON, path.join(REAL_AGENTS, script), ...args];

describe('Python agents on real tracing libraries', { timeout: 400_000 }, () => {
  let model: ModelServer;
  let run: RealRun;
  before(async () => {
    assert.ok(existsSync(VENV_PYTHON), `${VENV_PYTHON} is missing: run bash scripts/test-setup/python-venv.sh (npm run test:libs does)`);
    model = await scriptedModel();
    run = await runRealAgents([
      { id: 'otel-http', command: python('otel_genai.py', 'http') },
      { id: 'otel-grpc', command: python('otel_genai.py', 'grpc') },
      { id: 'openinference-py', command: python('openinference_openai.py') },
      { id: 'openai-agents', command: python('openai_agents.py') },
      { id: 'mlflow', command: python('mlflow_otlp.py') },
      { id: 'langgraph', command: python('langgraph_agent.py') },
    ], model, 3);
  });
  after(async () => {
    run?.ws.dispose();
    await model?.close();
  });

  it('OpenTelemetry SDK + GenAI semconv over OTLP/HTTP protobuf: execute_tool, chat and invoke_agent spans', async () => {
    const trace = await assertToolTrace(run, 'otel-http', { modelCalls: 3, alsoTypes: ['AGENT', 'CHAT_MODEL'] });
    const chat = trace.spans.find((s) => s.spanType === 'CHAT_MODEL')!;
    assert.equal(chat.kind, 'CLIENT', 'the OTLP span kind is kept');
    assert.equal(chat.scope?.name, 'analyst');
    assert.equal(chat.resource?.['telemetry.sdk.language'], 'python');
  });

  it('the same agent with the exporter hard-wired to OTLP/gRPC reaches the same receiver', async () => {
    await assertToolTrace(run, 'otel-grpc', { modelCalls: 3, alsoTypes: ['AGENT'] });
  });

  it('OpenInference OpenAI instrumentation with OITracer agent/tool decorators', async () => {
    await assertToolTrace(run, 'openinference-py', { modelCalls: 3, alsoTypes: ['AGENT'] });
  });

  it('OpenAI Agents SDK (Responses API) through OpenInference: function tools, responses, the agent', async () => {
    // The Agents SDK redacts a tool's exception from its span by default and says so.
    await assertToolTrace(run, 'openai-agents', { modelCalls: 3, alsoTypes: ['AGENT'], errorMessage: /Error running tool/ });
    assert.ok(model.requests.some((r) => r.path.endsWith('/responses')), 'the Agents SDK used the Responses API');
  });

  it('MLflow tracing SDK in OTLP mode: span types, inputs/outputs and token usage as MLflow writes them', async () => {
    await assertToolTrace(run, 'mlflow', { modelCalls: 3, alsoTypes: ['AGENT', 'CHAT_MODEL'] });
  });

  it('LangGraph ReAct agent through OpenInference LangChain instrumentation', async () => {
    await assertToolTrace(run, 'langgraph', { modelCalls: 3, alsoTypes: ['AGENT'] });
  });
});
