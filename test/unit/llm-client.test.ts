/**
 * The model client against the real test model server over HTTP: structured replies, every
 * fault the server can inject, retries and their limits, the reply cache, settings from env.
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import OpenAI from 'openai';
import { OpenAIModelClient, type ModelClientOptions } from '../../src/core/llm/client';
import { createModelClientFromEnv, resolveModelSettings } from '../../src/core/llm/fromEnv';
import { Limiter } from '../../src/core/util/limiter';
import { ModelError } from '../../src/core/llm/types';
import { ModelServer } from '../support/modelServer';

const KEY = 'sk-test-SECRET-0123456789';
let server: ModelServer;
let cacheDir: string;

before(async () => {
  server = await ModelServer.start();
});
after(() => server.close());
beforeEach(async () => {
  server.reset();
  cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'costar-llm-cache-'));
});

function client(extra: Partial<ModelClientOptions> = {}, retries: { attempt: number; delayMs: number; reason: string }[] = []) {
  return new OpenAIModelClient({ baseUrl: server.baseUrl, model: 'judge-model', apiKey: KEY, retry: { baseDelayMs: 5, maxDelayMs: 20 }, onRetry: (r) => retries.push(r), ...extra });
}

const ask = { messages: [{ role: 'user' as const, content: 'Is the sky blue?' }], responseFormat: { name: 'answer', schema: { type: 'object' } } };

test('a structured reply arrives with its usage; the key goes only into the Authorization header', async () => {
  server.reply({ json: { value: true, rationale: 'it is' }, usage: { prompt_tokens: 42, completion_tokens: 7 } });
  const reply = await client().chat(ask);
  assert.deepEqual(JSON.parse(reply.content!), { value: true, rationale: 'it is' });
  assert.equal(reply.inputTokens, 42);
  assert.equal(reply.outputTokens, 7);
  assert.equal(reply.requests, 1);
  const [request] = server.chatRequests;
  assert.equal(request!.headers.authorization, `Bearer ${KEY}`);
  assert.equal(request!.body.model, 'judge-model');
  assert.equal(request!.body.response_format.type, 'json_schema');
  assert.equal(request!.body.response_format.json_schema.strict, true);
});

test('429 is retried after the Retry-After the server asked for', async () => {
  server.reply({ fault: 'rate-limit', retryAfter: 1 }, 1).reply({ content: 'ok' });
  const retries: { delayMs: number; reason: string }[] = [];
  const reply = await client({}, retries as never).chat(ask);
  assert.equal(reply.content, 'ok');
  assert.equal(server.chatRequests.length, 2);
  assert.equal(retries[0]!.delayMs, 1000);
  assert.match(retries[0]!.reason, /429/);
});

test('500 is retried with backoff', async () => {
  server.reply({ fault: 'server-error' }, 2).reply({ content: 'ok' });
  const reply = await client().chat(ask);
  assert.equal(reply.content, 'ok');
  assert.equal(reply.requests, 3);
});

test('a reply slower than the timeout is abandoned and retried', async () => {
  server.reply({ fault: 'slow', delayMs: 5000, then: { content: 'too late' } }, 1).reply({ content: 'ok' });
  const retries: { reason: string }[] = [];
  const reply = await client({ timeoutMs: 300 }, retries as never).chat(ask);
  assert.equal(reply.content, 'ok');
  assert.match(retries[0]!.reason, /did not answer in time/);
});

test('a body that is not JSON is retried', async () => {
  server.reply({ fault: 'malformed-body' }, 1).reply({ content: 'ok' });
  const retries: { reason: string }[] = [];
  const reply = await client({}, retries as never).chat(ask);
  assert.equal(reply.content, 'ok');
  assert.equal(server.chatRequests.length, 2);
  assert.equal(retries.length, 1);
});

test('after the last retry the error says what happened and never contains the key', async () => {
  server.reply({ fault: 'server-error', status: 503 });
  const error = await client({ retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 } }).chat(ask).catch((e: unknown) => e);
  assert.ok(error instanceof ModelError);
  assert.equal(error.kind, 'http');
  assert.equal(error.status, 503);
  assert.match(error.message, /answered 503.*after 3 attempts/);
  assert.ok(!error.message.includes(KEY) && !String(error.stack).includes(KEY));
  assert.equal(server.chatRequests.length, 3);
});

test('a 400 is not retried: it will not fix itself', async () => {
  const error = await client().chat(ask).catch((e: unknown) => e); // no script: the server answers 400
  assert.ok(error instanceof ModelError);
  assert.match(error.message, /400.*no scripted reply/);
  assert.equal(server.chatRequests.length, 1);
});

test('a reply rejected by validate is retried, then a malformed error; it is never cached', async () => {
  server.reply({ content: 'not json' });
  const c = client({ cacheDir, maxMalformedRetries: 1 });
  const validate = (r: { content: string | null }) => (r.content?.startsWith('{') ? undefined : 'expected JSON');
  const error = await c.chat(ask, { validate, cache: { judgeVersion: 'j@1', traceHash: 'h' } }).catch((e: unknown) => e);
  assert.ok(error instanceof ModelError);
  assert.equal(error.kind, 'malformed');
  assert.match(error.message, /malformed 2 times; last problem: expected JSON/);
  server.reset();
  server.reply({ json: { ok: true } });
  const reply = await c.chat(ask, { validate, cache: { judgeVersion: 'j@1', traceHash: 'h' } });
  assert.equal(reply.cached, false, 'the malformed reply was not cached');
});

test('a cached reply costs zero HTTP requests; a new judge version, trace hash or noCache asks again', async () => {
  server.reply({ json: { value: 1 } });
  const scope = { judgeVersion: 'j@1', traceHash: 'abc' };
  await client({ cacheDir }).chat(ask, { cache: scope });
  assert.equal(server.chatRequests.length, 1);
  const again = client({ cacheDir });
  const hit = await again.chat(ask, { cache: scope });
  assert.equal(hit.cached, true);
  assert.equal(hit.requests, 0);
  assert.equal(server.chatRequests.length, 1, 'no request for a cache hit');
  assert.deepEqual(again.usage(), { calls: 1, cachedCalls: 1, requests: 0, inputTokens: 0, outputTokens: 0 });
  await again.chat(ask, { cache: { ...scope, judgeVersion: 'j@2' } });
  await again.chat(ask, { cache: { ...scope, traceHash: 'def' } });
  await client({ cacheDir, noCache: true }).chat(ask, { cache: scope });
  assert.equal(server.chatRequests.length, 4);
});

test('the test server streams SSE chunks with usage that the openai package reassembles', async () => {
  server.reply({ content: 'streamed answer text', usage: { prompt_tokens: 5, completion_tokens: 3 } });
  const sdk = new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0 });
  const stream = await sdk.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
  let text = '';
  let usage: unknown;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, 'streamed answer text');
  assert.deepEqual(usage, { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
});

test('the limiter never runs more than its limit at once', async () => {
  const limiter = new Limiter(2);
  let running = 0;
  let peak = 0;
  const release: (() => void)[] = [];
  let finished = 0;
  const tasks = Array.from({ length: 5 }, () =>
    limiter
      .run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => release.push(r));
        running--;
      })
      .then(() => finished++),
  );
  // Let queued tasks start, then finish one at a time, until all are done.
  while (finished < 5) {
    await new Promise((r) => setImmediate(r));
    release.shift()?.();
  }
  await Promise.all(tasks);
  assert.equal(peak, 2);
});

test('settings: the environment wins over costar.yaml; no model or no endpoint means no client', () => {
  const config = { baseUrl: 'http://127.0.0.1:1/v1', model: 'from-yaml', apiKeyEnv: 'MY_KEY', maxConcurrency: 2 };
  // MY_KEY is read only because the user approved it (docs/security.md).
  assert.deepEqual(resolveModelSettings({ COSTAR_MODEL: 'from-env', MY_KEY: 'k', COSTAR_ALLOW_KEY_ENV: 'MY_KEY' }, config), { apiKeyEnv: 'MY_KEY', baseUrl: 'http://127.0.0.1:1/v1', model: 'from-env', apiKey: 'k' });
  assert.equal(resolveModelSettings({ OPENAI_API_KEY: 'k' }, config).apiKey, undefined, 'only the named variable holds the key');
  assert.equal(createModelClientFromEnv({}, undefined), undefined);
  assert.equal(createModelClientFromEnv({ COSTAR_MODEL_BASE_URL: server.baseUrl }, undefined), undefined, 'a model name is required');
  assert.equal(createModelClientFromEnv({ COSTAR_MODEL: 'm' }, undefined), undefined, 'an endpoint or a key is required');
  const c = createModelClientFromEnv({ COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'm' }, undefined, { cacheDir });
  assert.equal(c?.model, 'm');
});

test("a request naming the editor's model is refused outside the editor, with where it works; llama3:8b is a plain name", async () => {
  const error = await client().chat({ ...ask, model: 'vscode:copilot/gpt-4o' }).catch((e: unknown) => e);
  assert.ok(error instanceof ModelError);
  assert.equal(error.kind, 'refused');
  assert.match(error.message, /names the vscode model "vscode:copilot\/gpt-4o".*only inside VS Code.*coSTAR: Select Model/);
  assert.equal(server.chatRequests.length, 0);

  server.reply({ content: 'ok' });
  await client().chat({ ...ask, model: 'openai-compatible:gpt-4o-mini' });
  await client().chat({ ...ask, model: 'llama3:8b' });
  assert.deepEqual(server.chatRequests.map((r) => r.body.model), ['gpt-4o-mini', 'llama3:8b']);
});
