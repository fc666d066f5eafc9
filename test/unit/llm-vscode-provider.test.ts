/**
 * The editor's models as a provider (src/extension/llm/vscodeLmProvider.ts) against the fake
 * Language Model API: system prompt and schema as the first user message, a tool call going
 * back to the model with its result, tokens counted by the model, and a missing model refused
 * with what to do. The editor tier's `lm` part runs the same against a real chat model
 * provider extension; this is the fast check of the message mapping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VsCodeLmProvider } from '../../src/extension/llm/vscodeLmProvider';
import { fakeHost } from './extension-fakeHost';
import { fakeLm, type FakeLmRequest } from './extension-fakeLm';

const MODEL = 'costar-test/scripted';

function provider(script: (request: FakeLmRequest) => ReturnType<Parameters<typeof fakeLm>[1]>) {
  const lm = fakeLm([{ vendor: 'costar-test', id: 'scripted', family: 'costar-scripted' }], script);
  return { lm, provider: new VsCodeLmProvider(fakeHost('/ws', { lm: lm.api }).vscode) };
}

test('the system prompt and the schema are the first user message; the reply is text with tokens counted', async () => {
  const { lm, provider: p } = provider(() => '{"value": true}');
  const reply = await p.send(MODEL, {
    messages: [{ role: 'system', content: 'You are a careful evaluator.' }, { role: 'user', content: 'Is it fine?' }],
    responseFormat: { name: 'judge_verdict', schema: { type: 'object', properties: { value: { type: 'boolean' } } } },
  }, undefined);
  const [request] = lm.requests;
  assert.deepEqual(request!.messages.map((m) => m.role), ['user', 'user']);
  assert.match(request!.messages[0]!.text, /^You are a careful evaluator\.\n\nReply with only a JSON object .*JSON Schema:\n\{"type":"object"/s);
  assert.equal(request!.messages[1]!.text, 'Is it fine?');
  assert.deepEqual([reply.content, reply.model, reply.finishReason], ['{"value": true}', MODEL, 'stop']);
  assert.ok(reply.inputTokens > 0 && reply.outputTokens > 0);
});

test('a tool call comes back as a tool call, and its result goes back to the model as a tool result part', async () => {
  const { lm, provider: p } = provider((request) => (request.messages.some((m) => m.toolResults.length > 0) ? 'done' : [{ callId: 'call-1', name: 'get_root_span', input: { depth: 1 } }]));
  const tools = [{ type: 'function' as const, function: { name: 'get_root_span', description: 'the root span', parameters: { type: 'object' } } }];
  const first = await p.send(MODEL, { messages: [{ role: 'user', content: 'inspect' }], tools }, undefined);
  assert.deepEqual([first.content, first.finishReason, first.toolCalls], [null, 'tool_calls', [{ id: 'call-1', name: 'get_root_span', arguments: '{"depth":1}' }]]);
  assert.deepEqual(lm.requests[0]!.tools, ['get_root_span']);

  const second = await p.send(MODEL, {
    messages: [
      { role: 'user', content: 'inspect' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call-1', type: 'function', function: { name: 'get_root_span', arguments: '{"depth":1}' } }] },
      { role: 'tool', tool_call_id: 'call-1', content: 'root span: agent, 3 children' },
    ],
    tools,
  }, undefined);
  assert.equal(second.content, 'done');
  const sent = lm.requests[1]!.messages;
  assert.deepEqual(sent[1]!.toolCalls, [{ callId: 'call-1', name: 'get_root_span', input: { depth: 1 } }]);
  assert.deepEqual(sent[2]!.toolResults, [{ callId: 'call-1', text: 'root span: agent, 3 children' }], 'the tool result reached the model');
});

test('a model that is not there is refused, naming what is available and "coSTAR: Select Model"', async () => {
  const { provider: p } = provider(() => 'unused');
  const error = await p.send('copilot/gpt-4o', { messages: [{ role: 'user', content: 'hi' }] }, undefined).then(() => undefined, (e: unknown) => e);
  const failure = await p.classify(error);
  assert.equal(failure.kind, 'refused');
  assert.match((failure as { message: string }).message, /no VS Code language model matches "copilot\/gpt-4o" \(available: costar-test\/scripted\); run "coSTAR: Select Model"/);
});
