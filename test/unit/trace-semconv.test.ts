import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractSemantics } from '../../src/core/trace/semconv';

test('explicit MLflow keys win over OpenInference and GenAI, and are consumed', () => {
  const s = extractSemantics({
    'mlflow.spanType': 'RETRIEVER',
    'mlflow.spanInputs': { query: 'q' },
    'openinference.span.kind': 'LLM',
    'input.value': 'ignored',
    'gen_ai.operation.name': 'chat',
  });
  assert.equal(s.spanType, 'RETRIEVER');
  assert.deepEqual(s.inputs, { query: 'q' });
  assert.deepEqual(Object.keys(s.attributes), ['openinference.span.kind', 'input.value', 'gen_ai.operation.name']);
});

test('OpenInference: span kinds, JSON-looking values, output messages, kinds MLflow lacks stay UNKNOWN', () => {
  const s = extractSemantics({
    'openinference.span.kind': 'llm',
    'input.value': '{"q": 1}',
    'llm.output_messages.0.message.role': 'assistant',
    'llm.output_messages.0.message.content': 'ok',
    'llm.token_count.prompt': '5',
  });
  assert.equal(s.spanType, 'LLM');
  assert.deepEqual(s.inputs, { q: 1 });
  assert.deepEqual(s.outputs, [{ role: 'assistant', content: 'ok' }]);
  assert.deepEqual(s.tokens, { input: 5, output: 0, total: 5 });
  assert.equal(extractSemantics({ 'openinference.span.kind': 'GUARDRAIL' }).spanType, 'UNKNOWN');
  assert.equal(extractSemantics({ 'input.value': 'plain text', 'input.mime_type': 'text/plain' }).inputs, 'plain text');
});

test('GenAI: flattened gen_ai.prompt.N / completion.N, legacy content events, tool results, inferred types', () => {
  const flat = extractSemantics({
    'gen_ai.request.model': 'm',
    'gen_ai.prompt.0.role': 'user',
    'gen_ai.prompt.0.content': 'hi',
    'gen_ai.completion.0.role': 'assistant',
    'gen_ai.completion.0.content': 'yo',
    'gen_ai.usage.prompt_tokens': 3,
    'gen_ai.usage.completion_tokens': 4,
  });
  assert.equal(flat.spanType, 'LLM', 'a model name without an operation means a model call');
  assert.deepEqual(flat.inputs, [{ role: 'user', content: 'hi' }]);
  assert.deepEqual(flat.outputs, [{ role: 'assistant', content: 'yo' }]);
  assert.deepEqual(flat.tokens, { input: 3, output: 4, total: 7 });

  const events = extractSemantics({}, [
    { name: 'gen_ai.content.prompt', timeUnixNano: '1', attributes: { 'gen_ai.prompt': '[{"role":"user","content":"a"}]' } },
    { name: 'gen_ai.content.completion', timeUnixNano: '2', attributes: { 'gen_ai.completion': 'b' } },
  ]);
  assert.deepEqual(events.inputs, [{ role: 'user', content: 'a' }]);
  assert.equal(events.outputs, 'b');

  const tool = extractSemantics({ 'gen_ai.tool.name': 'grep', 'gen_ai.tool.call.result': '{"hits":2}' });
  assert.equal(tool.spanType, 'TOOL', 'a tool name without an operation means a tool call');
  assert.equal(tool.toolName, 'grep');
  assert.deepEqual(tool.outputs, { hits: 2 });
  assert.equal(extractSemantics({ 'gen_ai.operation.name': 'embeddings' }).spanType, 'EMBEDDING');
  assert.equal(extractSemantics({ 'gen_ai.operation.name': 'invoke_agent' }).spanType, 'AGENT');
  assert.equal(extractSemantics({ plain: 1 }).spanType, 'UNKNOWN');
});
