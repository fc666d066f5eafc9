/**
 * Real endpoints' quirks through the local scripted server: fenced and prefaced JSON, 400s
 * on response_format / temperature / token limits and the fallbacks remembered for the
 * session, replies without choices, correction messages on malformed retries, MLflow's
 * `result` key, and honest accounting (failed calls counted, the endpoint in the cache key,
 * non-answers never cached).
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadJudgeCatalog, type JudgeCatalog } from '../../src/core/judges/catalog';
import { evaluateExpectations } from '../../src/core/judges/evaluate';
import type { Verdict } from '../../src/core/judges/types';
import { OpenAIModelClient, type ModelClientOptions } from '../../src/core/llm/client';
import { learnQuirk, NO_QUIRKS } from '../../src/core/llm/quirks';
import { extractJson } from '../../src/core/llm/structuredOutput';
import { ModelError } from '../../src/core/llm/types';
import { Scenario } from '../../src/core/scenario/schema';
import { TraceBuilder } from '../support/traceBuilder';
import { ModelServer } from '../support/modelServer';

let server: ModelServer;
let workspace: string;
let catalog: JudgeCatalog;

before(async () => {
  server = await ModelServer.start();
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'costar-quirks-'));
  await fs.mkdir(path.join(workspace, 'judges'));
  await fs.writeFile(path.join(workspace, 'judges', 'correct.judge.yaml'), 'id: correct\nkind: llm\ninstructions: Is {{ outputs }} correct?\n');
  await fs.writeFile(path.join(workspace, 'judges', 'recovers.judge.yaml'), 'id: recovers\nkind: agentic\ninstructions: In {{ trace }}, did the agent recover?\nmaxSteps: 4\n');
  ({ catalog } = await loadJudgeCatalog(workspace, {}));
});
after(async () => {
  await server.close();
  await fs.rm(workspace, { recursive: true, force: true });
});
beforeEach(() => server.reset());

function client(extra: Partial<ModelClientOptions> = {}) {
  return new OpenAIModelClient({ baseUrl: server.baseUrl, model: 'judge-model', retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 }, ...extra });
}

async function judge(judgeId: string, model = client()): Promise<Verdict> {
  const b = new TraceBuilder();
  b.span({ name: 'agent', spanType: 'AGENT', inputs: { prompt: 'What is 2+2?' }, outputs: { output: '4' } });
  const scenario = Scenario.parse({ id: 'math', prompt: 'What is 2+2?', expectations: [{ judge: judgeId }] });
  const [verdict] = await evaluateExpectations({ trace: b.build(), scenario, workspaceDir: workspace, catalog, model, signal: new AbortController().signal });
  return verdict!;
}

const ask = {
  messages: [
    { role: 'system' as const, content: 'You judge.' },
    { role: 'user' as const, content: 'Is the sky blue?' },
  ],
  responseFormat: { name: 'answer', schema: { type: 'object', properties: { value: { type: 'boolean' } } } },
  temperature: 0,
  maxTokens: 200,
};

test('JSON is pulled out of a fence, of leading prose, or of both; text without JSON stays as it is', () => {
  assert.equal(extractJson('{"a":1}'), '{"a":1}');
  assert.equal(extractJson('```json\n{"a": 1}\n```'), '{"a": 1}');
  assert.equal(extractJson('Here is my verdict:\n\n```\n{"a": [1, 2]}\n```\nHope that helps.'), '{"a": [1, 2]}');
  assert.equal(extractJson('My answer: {"value": true, "rationale": "it {really} is"} — done'), '{"value": true, "rationale": "it {really} is"}');
  assert.equal(extractJson('The format asks for {value, rationale}:\n```json\n{"value": true}\n```'), '{"value": true}', 'the fence wins over braces in the prose');
  assert.equal(extractJson('I think it is good!'), undefined);
  assert.equal(extractJson('{not json}'), undefined);
});

test('a fenced answer after a sentence is a verdict, not an error', async () => {
  server.reply({ fenced: { value: true, rationale: 'it says 4' }, prose: 'Here is my evaluation of the answer:' });
  const verdict = await judge('correct');
  assert.equal(verdict.outcome, 'passed', verdict.rationale);
  assert.equal(verdict.rationale, 'it says 4');
  assert.equal(server.chatRequests.length, 1);
});

test("MLflow's answer key `result` is taken for `value`", async () => {
  server.reply({ json: { result: false, rationale: 'it says 5' } });
  const verdict = await judge('correct');
  assert.equal(verdict.outcome, 'failed', verdict.rationale);
  assert.equal(verdict.value, false);
});

test('a 400 on json_schema falls back to json_object with the schema in the prompt, remembered for the session', async () => {
  server.rejects({ jsonSchema: true }).reply({ json: { value: true } });
  const retries: { reason: string }[] = [];
  const c = client({ onRetry: (r) => retries.push(r) });
  const first = await c.chat(ask);
  assert.equal(first.requests, 2, 'the rejected request is counted');
  const [rejected, accepted] = server.chatRequests;
  assert.equal(rejected!.body.response_format.type, 'json_schema');
  assert.equal(accepted!.body.response_format.type, 'json_object');
  assert.match(accepted!.body.messages[0].content, /^You judge\.\n\nReply with only a JSON object .*\n\{"type":"object","properties":\{"value":\{"type":"boolean"\}\}\}$/s);
  assert.match(retries[0]!.reason, /rejected response_format json_schema; now json_object/);

  const second = await c.chat(ask);
  assert.equal(second.requests, 1, 'the session remembers what the endpoint accepts');
  assert.equal(server.chatRequests[2]!.body.response_format.type, 'json_object');
});

test('an endpoint that rejects json_object too gets the schema in the prompt only', async () => {
  server.rejects({ jsonSchema: true, jsonObject: true }).reply({ content: 'Sure! {"value": true}' });
  const c = client();
  const reply = await c.chat(ask);
  assert.equal(reply.requests, 3);
  assert.equal(reply.content, '{"value": true}', 'the prose before the JSON is stripped');
  const last = server.chatRequests.at(-1)!.body;
  assert.equal(last.response_format, undefined);
  assert.match(last.messages[0].content, /follows this JSON Schema/);
  await c.chat(ask);
  assert.equal(server.chatRequests.length, 4);
  assert.equal(server.chatRequests[3]!.body.response_format, undefined);
});

test('a model that rejects temperature is asked again without it, and from then on', async () => {
  server.rejects({ temperature: true }).reply({ json: { value: true } });
  const c = client();
  assert.equal((await c.chat(ask)).requests, 2);
  assert.equal(server.chatRequests[0]!.body.temperature, 0);
  assert.equal(server.chatRequests[1]!.body.temperature, undefined);
  assert.equal((await c.chat(ask)).requests, 1);
});

test('token limits: max_completion_tokens, else max_tokens, else none', async () => {
  server.rejects({ maxCompletionTokens: true }).reply({ json: { value: true } });
  assert.equal((await client().chat(ask)).requests, 2);
  assert.deepEqual(server.chatRequests.map((r) => [r.body.max_completion_tokens, r.body.max_tokens]), [[200, undefined], [undefined, 200]]);

  server.reset();
  server.rejects({ maxCompletionTokens: true, maxTokens: true }).reply({ json: { value: true } });
  assert.equal((await client().chat(ask)).requests, 3);
  const last = server.chatRequests.at(-1)!.body;
  assert.deepEqual([last.max_completion_tokens, last.max_tokens], [undefined, undefined]);
});

test('a 400 that names nothing we sent is not retried', async () => {
  server.rejects({ temperature: true });
  const error = await client().chat({ messages: ask.messages }).catch((e: unknown) => e);
  assert.ok(error instanceof ModelError);
  assert.match(error.message, /400 test model server: no scripted reply/);
  assert.equal(server.chatRequests.length, 1);
});

test('only a 400/422 that names a parameter we sent changes what is sent', () => {
  const sent = { responseFormat: true, temperature: true, tokenLimit: true };
  const http = (status: number, message: string, param?: string) => ({ kind: 'http' as const, status, message, transient: false, ...(param ? { param } : {}) });
  assert.equal(learnQuirk(NO_QUIRKS, sent, http(401, 'invalid key for temperature-tuned models')), undefined);
  assert.equal(learnQuirk(NO_QUIRKS, sent, http(404, 'model json_schema-v2 not found')), undefined);
  assert.equal(learnQuirk(NO_QUIRKS, { ...sent, temperature: false }, http(400, 'bad', 'temperature')), undefined);
  assert.equal(learnQuirk(NO_QUIRKS, sent, http(422, 'bad', 'temperature'))?.quirks.temperature, false);
  assert.equal(learnQuirk({ ...NO_QUIRKS, responseFormat: 'prompt' }, sent, http(400, 'response_format is not supported')), undefined, 'the last step has nowhere to go');
});

test('a reply without choices is reported as such (with what the gateway said), not as "not JSON"', async () => {
  server.reply({ fault: 'no-choices', error: 'upstream model overloaded' });
  const error = await client({ retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 } }).chat(ask).catch((e: unknown) => e);
  assert.ok(error instanceof ModelError);
  assert.equal(error.kind, 'malformed');
  assert.match(error.message, /answered without choices: upstream model overloaded \(after 2 attempts\)/);
  assert.doesNotMatch(error.message, /not JSON/);
  assert.equal(error.spent.requests, 2);
});

test('a malformed reply is retried with a correction message, not byte for byte', async () => {
  server.reply({ json: { value: 'maybe' } }, 1).reply({ json: { value: true, rationale: 'it says 4' } });
  const verdict = await judge('correct');
  assert.equal(verdict.outcome, 'passed');
  const [first, second] = server.chatRequests;
  assert.notDeepEqual(first!.body.messages, second!.body.messages);
  const tail = second!.body.messages.slice(-2);
  assert.deepEqual(tail[0], { role: 'assistant', content: '{"value":"maybe"}' });
  assert.match(tail[1].content, /^That answer is not valid: value: .*Answer again with only the JSON object\.$/);
});

test('an errored verdict counts every request and token it cost', async () => {
  server.reply({ content: 'no idea', usage: { prompt_tokens: 100, completion_tokens: 5 } });
  const verdict = await judge('correct');
  assert.equal(verdict.outcome, 'error');
  assert.deepEqual([verdict.cost.modelCalls, verdict.cost.inputTokens, verdict.cost.outputTokens], [3, 300, 15]);

  server.reset();
  server.reply({ fault: 'server-error' });
  const http = await judge('correct');
  assert.equal(http.outcome, 'error');
  assert.equal(http.cost.modelCalls, 3, '1 request + 2 retries');
});

test('an agentic verdict that errors counts the failed step too', async () => {
  server.reply({ toolCalls: [{ name: 'get_trace_info', arguments: {} }], usage: { prompt_tokens: 50, completion_tokens: 5 } }, 1).reply({ fault: 'server-error' });
  const verdict = await judge('recovers');
  assert.equal(verdict.outcome, 'error');
  assert.equal(verdict.cost.modelCalls, 4, 'one tool step + three attempts of the failing step');
  assert.equal(verdict.cost.inputTokens, 50);
});

test('the reply cache is per endpoint: the same model name elsewhere is asked again', async (t) => {
  const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'costar-quirks-cache-'));
  const other = await ModelServer.start();
  t.after(() => other.close());
  server.reply({ json: { value: true, rationale: 'first endpoint' } });
  other.reply({ json: { value: false, rationale: 'second endpoint' } });
  assert.equal((await judge('correct', client({ cacheDir }))).rationale, 'first endpoint');
  assert.equal((await judge('correct', client({ cacheDir }))).cost.modelCalls, 0, 'a hit on the same endpoint');
  const elsewhere = await judge('correct', new OpenAIModelClient({ baseUrl: other.baseUrl, model: 'judge-model', cacheDir }));
  assert.equal(elsewhere.rationale, 'second endpoint');
  assert.equal(other.chatRequests.length, 1);
});

test('a non-answer (content filter, or nothing at all) is never cached', async () => {
  const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'costar-quirks-cache-'));
  const scope = { judgeVersion: 'j@1', traceHash: 'h' };
  server.reply({ content: '', finishReason: 'content_filter' });
  await client({ cacheDir }).chat({ messages: ask.messages }, { cache: scope });
  const again = await client({ cacheDir }).chat({ messages: ask.messages }, { cache: scope });
  assert.equal(again.cached, false);
  assert.equal(server.chatRequests.length, 2);

  server.reset();
  server.reply({ toolCalls: [] });
  await client({ cacheDir }).chat({ messages: ask.messages }, { cache: { ...scope, traceHash: 'empty' } });
  assert.equal((await client({ cacheDir }).chat({ messages: ask.messages }, { cache: { ...scope, traceHash: 'empty' } })).cached, false);
  assert.equal(server.chatRequests.length, 2);
});
