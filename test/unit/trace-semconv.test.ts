import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifySpan, CLASSIFYING_ATTRIBUTES, extractSemantics, reservedAttributes } from '../../src/core/trace/semconv';

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

test('OpenInference: span kinds, JSON-looking values, output messages, kinds outside the table kept as written', () => {
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
  assert.equal(extractSemantics({ 'openinference.span.kind': 'GUARDRAIL' }).spanType, 'GUARDRAIL');
  assert.equal(extractSemantics({ 'openinference.span.kind': 'PROMPT' }).spanType, 'PROMPT');
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

test('span types MLflow knows beyond the eleven, and custom strings, are kept as written', () => {
  for (const type of ['MEMORY', 'WORKFLOW', 'TASK', 'GUARDRAIL', 'EVALUATOR', 'my-planner']) {
    const s = extractSemantics({ 'mlflow.spanType': type });
    assert.equal(s.spanType, type);
    assert.deepEqual(reservedAttributes({ ...s }), { 'mlflow.spanType': type }, 'written back unchanged');
  }
  assert.deepEqual(reservedAttributes({ spanType: 'UNKNOWN' }), {}, 'UNKNOWN (the source said nothing) is not written');
});

test('Vercel AI SDK: ai.toolCall is a TOOL with its name, args and result; doGenerate unpacks ai.prompt.* / ai.response.*', () => {
  const tool = extractSemantics({
    'ai.operationId': 'ai.toolCall', 'operation.name': 'ai.toolCall', 'ai.toolCall.name': 'read_file',
    'ai.toolCall.id': 'call_1', 'ai.toolCall.args': '{"path":"a.csv"}', 'ai.toolCall.result': '"x,y"',
  });
  assert.equal(tool.spanType, 'TOOL');
  assert.equal(tool.toolName, 'read_file');
  assert.deepEqual(tool.inputs, { path: 'a.csv' });
  assert.equal(tool.outputs, 'x,y');

  const call = extractSemantics({
    'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'gpt-x', 'gen_ai.request.model': 'gpt-x',
    'ai.prompt.messages': '[{"role":"user","content":"hi"}]', 'ai.prompt.tools': ['{"name":"read_file"}'],
    'ai.response.text': 'done', 'ai.response.finishReason': 'stop',
    'ai.usage.promptTokens': 7, 'ai.usage.completionTokens': 3, 'gen_ai.usage.input_tokens': 7, 'gen_ai.usage.output_tokens': 3,
  });
  assert.equal(call.spanType, 'LLM');
  assert.equal(call.model, 'gpt-x');
  assert.deepEqual(call.inputs, { messages: [{ role: 'user', content: 'hi' }], tools: [{ name: 'read_file' }] });
  assert.deepEqual(call.outputs, { text: 'done', finishReason: 'stop' });
  assert.deepEqual(call.tokens, { input: 7, output: 3, total: 10 });

  const outer = extractSemantics({ 'ai.operationId': 'ai.generateText', 'ai.prompt': '{"prompt":"hi"}', 'ai.response.text': 'done', 'ai.usage.inputTokens': 9, 'ai.usage.outputTokens': 4, 'ai.usage.totalTokens': 13 });
  assert.equal(outer.spanType, 'LLM');
  assert.deepEqual(outer.inputs, { prompt: 'hi' });
  assert.equal(outer.outputs, 'done');
  assert.deepEqual(outer.tokens, { input: 9, output: 4, total: 13 });
});

test('Traceloop/OpenLLMetry: traceloop.span.kind, entity name as the tool name (only for tools), entity input/output, llm.usage', () => {
  const tool = extractSemantics({
    'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'read_file',
    'traceloop.entity.input': '{"args":["a.csv"],"kwargs":{}}', 'traceloop.entity.output': '"x,y"',
  });
  assert.equal(tool.spanType, 'TOOL');
  assert.equal(tool.toolName, 'read_file');
  assert.deepEqual(tool.inputs, { args: ['a.csv'], kwargs: {} });
  assert.equal(tool.outputs, 'x,y');
  const workflow = extractSemantics({ 'traceloop.span.kind': 'workflow', 'traceloop.entity.name': 'analyst' });
  assert.equal(workflow.spanType, 'WORKFLOW');
  assert.equal(workflow.toolName, undefined, 'a workflow is not a tool call');
  assert.equal(extractSemantics({ 'traceloop.span.kind': 'task' }).spanType, 'TASK');
  assert.equal(extractSemantics({ 'traceloop.span.kind': 'agent' }).spanType, 'AGENT');
  const llm = extractSemantics({ 'llm.request.type': 'chat', 'gen_ai.request.model': 'm', 'gen_ai.response.model': 'm-2024', 'gen_ai.usage.prompt_tokens': 5, 'gen_ai.usage.completion_tokens': 2, 'llm.usage.total_tokens': 7 });
  assert.equal(llm.spanType, 'LLM');
  assert.equal(llm.model, 'm-2024', 'the response model wins over the requested one');
  assert.deepEqual(llm.tokens, { input: 5, output: 2, total: 7 });
});

test('GenAI semconv: current input/output message attributes and the operation-details event, execute_tool', () => {
  const chat = extractSemantics({
    'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm',
    'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]',
    'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"yo"}]}]',
    'gen_ai.usage.input_tokens': 2, 'gen_ai.usage.output_tokens': 1,
  });
  assert.equal(chat.spanType, 'CHAT_MODEL');
  assert.deepEqual(chat.inputs, [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]);
  assert.equal((chat.outputs as { role: string }[])[0]!.role, 'assistant');
  const viaEvent = extractSemantics({ 'gen_ai.operation.name': 'chat' }, [
    { name: 'gen_ai.client.inference.operation.details', timeUnixNano: '1', attributes: { 'gen_ai.input.messages': '[{"role":"user"}]', 'gen_ai.output.messages': '[{"role":"assistant"}]' } },
  ]);
  assert.deepEqual(viaEvent.inputs, [{ role: 'user' }]);
  assert.deepEqual(viaEvent.outputs, [{ role: 'assistant' }]);
  const tool = extractSemantics({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'grep', 'gen_ai.tool.call.arguments': '{"q":1}' });
  assert.equal(tool.spanType, 'TOOL');
  assert.equal(tool.toolName, 'grep');
  assert.deepEqual(tool.inputs, { q: 1 });
});

test('empty values (MLflow skips them too) do not hide a later convention', () => {
  const s = extractSemantics({ 'input.value': '{}', 'traceloop.entity.input': '{"a":1}' });
  assert.deepEqual(s.inputs, { a: 1 });
});

test('a span\'s class (type, tokens, tool, model) is read from CLASSIFYING_ATTRIBUTES only, the same as extractSemantics gives', () => {
  const cases: Record<string, unknown>[] = [
    { 'mlflow.spanType': 'RETRIEVER', 'openinference.span.kind': 'LLM', 'mlflow.spanInputs': { q: 1 } },
    { 'openinference.span.kind': 'llm', 'llm.token_count.prompt': '5', 'llm.model_name': 'gpt', 'input.value': '{"q": 1}' },
    { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 4, 'gen_ai.input.messages': '[]' },
    { 'gen_ai.tool.name': 'grep', 'gen_ai.tool.call.result': '{"hits":2}' },
    { 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'search' },
    { 'traceloop.entity.name': 'a workflow, not a tool' },
    { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'read_file' },
    { 'ai.operationId': 'ai.generateText', 'ai.usage.inputTokens': 9, 'ai.usage.outputTokens': 4, 'ai.usage.totalTokens': 13, 'ai.prompt': '{}' },
    { 'mlflow.chat.tokenUsage': { input_tokens: 10, output_tokens: 2, total_tokens: 12 }, 'mlflow.llm.model': 'x' },
    { 'costar.toolName': 'sh' },
    { 'llm.usage.total_tokens': '9' },
    { 'ai.model.id': 'm' },
    { plain: 1, 'output.value': 'text' },
  ];
  for (const raw of cases) {
    const read = new Set<string>();
    const watched = new Proxy(raw, {
      get: (target, key) => (typeof key === 'string' && read.add(key), Reflect.get(target, key)),
      has: (target, key) => (typeof key === 'string' && read.add(key), Reflect.has(target, key)),
      ownKeys: (target) => (read.add('(every key)'), Reflect.ownKeys(target)),
    });
    const found = classifySpan(watched);
    assert.deepEqual([...read].filter((key) => !CLASSIFYING_ATTRIBUTES.has(key)), [], JSON.stringify(raw));
    const full = extractSemantics(raw);
    assert.deepEqual(found, { spanType: full.spanType, ...(full.tokens ? { tokens: full.tokens } : {}), ...(full.toolName !== undefined ? { toolName: full.toolName } : {}), ...(full.model !== undefined ? { model: full.model } : {}) }, JSON.stringify(raw));
  }
});
