/**
 * LLM judges end to end: judge files → evaluateExpectations → the model client → the test
 * model server over HTTP. Value types, pass rules, faults, error verdicts, the cache.
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadJudgeCatalog, type JudgeCatalog } from '../../src/core/judges/catalog';
import { evaluateExpectations } from '../../src/core/judges/evaluate';
import type { Verdict } from '../../src/core/judges/types';
import { OpenAIModelClient } from '../../src/core/llm/client';
import { Scenario } from '../../src/core/scenario/schema';
import { artifact, TraceBuilder } from '../support/traceBuilder';
import { ModelServer } from '../support/modelServer';

let server: ModelServer;
let workspace: string;
let catalog: JudgeCatalog;

const JUDGES: Record<string, string> = {
  'correct.judge.yaml': 'id: correct\nkind: llm\ninstructions: "Question: {{ inputs }}\\nAnswer: {{ outputs }}\\nExpected: {{ expectations }}\\nIs the answer correct?"\n',
  'concise.judge.yaml': 'id: concise\nkind: llm\nversion: 2\ninstructions: Is {{ outputs }} concise?\nvalue: yes/no\n',
  'quality.judge.yaml': 'id: quality\nkind: llm\ninstructions: Rate {{ outputs }} from 1 to 5.\nvalue: {type: number, min: 1, max: 5}\npass: {min: 4}\n',
  'tone.judge.yaml': 'id: tone\nkind: llm\ninstructions: What is the tone of {{ outputs }}?\nvalue: {type: categorical, categories: [friendly, neutral, rude]}\npass: [friendly, neutral]\n',
};

before(async () => {
  server = await ModelServer.start();
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'costar-llm-judge-'));
  await fs.mkdir(path.join(workspace, 'judges'));
  for (const [name, text] of Object.entries(JUDGES)) await fs.writeFile(path.join(workspace, 'judges', name), text);
  const loaded = await loadJudgeCatalog(workspace, {});
  assert.deepEqual(loaded.problems, []);
  catalog = loaded.catalog;
});
after(async () => {
  await server.close();
  await fs.rm(workspace, { recursive: true, force: true });
});
beforeEach(() => server.reset());

function model(options: { cacheDir?: string; noCache?: boolean } = {}) {
  return new OpenAIModelClient({ baseUrl: server.baseUrl, model: 'judge-model', retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 }, ...options });
}

function trace() {
  const b = new TraceBuilder();
  b.span({ name: 'agent', spanType: 'AGENT', inputs: { prompt: 'What is 2+2?' }, outputs: { output: 'The answer is 4.', exit_code: 0 } });
  return b.build({ artifacts: [artifact('answer.txt', '4\n')] });
}

async function run(expectations: unknown[], client = model()): Promise<Verdict[]> {
  const scenario = Scenario.parse({ id: 'math', prompt: 'What is 2+2?', expectations });
  return evaluateExpectations({ trace: trace(), scenario, workspaceDir: workspace, catalog, model: client, signal: new AbortController().signal });
}

test('the template gets the prompt, the final output with artifacts, and the expectations with guidelines', async () => {
  server.reply({ json: { value: true, rationale: '2+2 is 4, as stated' }, usage: { prompt_tokens: 120, completion_tokens: 15 } });
  const [v] = await run([{ judge: 'correct', with: { expectations: 'the answer is 4' }, guidelines: ['ignore formatting'] }]);
  assert.equal(v!.outcome, 'passed');
  assert.equal(v!.value, true);
  assert.equal(v!.rationale, '2+2 is 4, as stated');
  assert.equal(v!.source, 'LLM_JUDGE');
  assert.deepEqual([v!.cost.inputTokens, v!.cost.outputTokens, v!.cost.modelCalls], [120, 15, 1]);
  const prompt = server.chatRequests[0]!.body.messages[1].content as string;
  assert.match(prompt, /^Question: What is 2\+2\?\nAnswer: The answer is 4\.\n\n--- file answer\.txt \(created\)\n4\n/);
  assert.match(prompt, /Expected: the answer is 4\n\nGuidelines:\n- ignore formatting\nIs the answer correct\?$/);
  assert.deepEqual(server.chatRequests[0]!.body.response_format.json_schema.schema.properties.value, { type: 'boolean' });
});

test('bool, yes/no, number and categorical values meet their pass rules', async () => {
  server
    .script({ match: 'concise', reply: { json: { value: 'no', rationale: 'three sentences of padding' } } })
    .script({ match: 'from 1 to 5', reply: { json: { value: 4, rationale: 'good but terse' } } })
    .script({ match: 'tone', reply: { json: { value: 'rude', rationale: 'it insults the user' } } })
    .script({ match: 'correct', reply: { json: { value: false, rationale: 'says 5' } } });
  const verdicts = await run([{ judge: 'concise' }, { judge: 'quality' }, { judge: 'tone' }, { judge: 'correct' }]);
  assert.deepEqual(
    verdicts.map((v) => [v.judge, v.outcome, v.value, v.judgeVersion]),
    [
      ['concise', 'failed', 'no', '2'],
      ['quality', 'passed', 4, '1'],
      ['tone', 'failed', 'rude', '1'],
      ['correct', 'failed', false, '1'],
    ],
  );
});

test('a malformed answer is retried; when it stays malformed the verdict is error, never pass or fail', async () => {
  server.reply({ json: { value: 9, rationale: 'out of range' } }, 1).reply({ json: { value: 5, rationale: 'excellent' } });
  const [recovered] = await run([{ judge: 'quality' }]);
  assert.equal(recovered!.outcome, 'passed');
  assert.equal(server.chatRequests.length, 2);

  server.reset();
  server.reply({ content: 'I think it is good!' });
  const [broken] = await run([{ judge: 'quality' }]);
  assert.equal(broken!.outcome, 'error');
  assert.equal(broken!.value, null);
  assert.match(broken!.rationale, /malformed 3 times; last problem: the reply is not JSON/);
  assert.equal(server.chatRequests.length, 3);
});

for (const [fault, reply] of [
  ['429', { fault: 'rate-limit', retryAfter: 0 }],
  ['500', { fault: 'server-error' }],
  ['malformed body', { fault: 'malformed-body' }],
] as const) {
  test(`a ${fault} is retried and the judge still answers; exhausted retries give an error verdict`, async () => {
    server.reply(reply, 1).reply({ json: { value: true, rationale: 'fine' } });
    const [ok] = await run([{ judge: 'correct' }]);
    assert.equal(ok!.outcome, 'passed');
    assert.equal(ok!.cost.modelCalls, 2, 'both HTTP requests are counted');

    server.reset();
    server.reply(reply);
    const [failed] = await run([{ judge: 'correct' }]);
    assert.equal(failed!.outcome, 'error');
    assert.ok(failed!.error);
    assert.equal(server.chatRequests.length, 3);
  });
}

test('a slow endpoint past the client timeout is retried, then an error verdict', async () => {
  server.reply({ fault: 'slow', delayMs: 3000 });
  const client = new OpenAIModelClient({ baseUrl: server.baseUrl, model: 'm', timeoutMs: 150, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 } });
  const [v] = await run([{ judge: 'correct' }], client);
  assert.equal(v!.outcome, 'error');
  assert.match(v!.rationale, /did not answer in time \(after 2 attempts\)/);
});

test("an llm judge over its own timeout is stopped: an error verdict naming the limit, the request dropped", async () => {
  server.reply({ fault: 'slow', delayMs: 30_000 });
  const client = new OpenAIModelClient({ baseUrl: server.baseUrl, model: 'm', timeoutMs: 60_000, retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 2 } });
  const [v] = await run([{ judge: 'correct', timeout: '300ms' }], client);
  assert.equal(v!.outcome, 'error');
  assert.match(v!.rationale, /judge correct did not finish within its timeout of 300ms \(the expectation's timeout\)/);
  assert.equal(server.chatRequests.length, 1);
});

test('re-scoring the same trace with the cache makes zero HTTP requests; noCache asks again', async (t) => {
  const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'costar-llm-judge-cache-'));
  t.after(() => fs.rm(cacheDir, { recursive: true, force: true }));
  server.script({ match: 'concise', reply: { json: { value: 'yes', rationale: 'short' } } }).reply({ json: { value: true, rationale: 'says 4' } });
  const first = await run([{ judge: 'concise' }, { judge: 'correct', with: { expectations: '4' } }], model({ cacheDir }));
  assert.equal(server.chatRequests.length, 2);
  server.reset();
  const second = await run([{ judge: 'concise' }, { judge: 'correct', with: { expectations: '4' } }], model({ cacheDir }));
  assert.equal(server.chatRequests.length, 0, 'cache hits make no HTTP request');
  assert.deepEqual(second.map((v) => [v.outcome, v.value, v.rationale, v.cost.modelCalls]), first.map((v) => [v.outcome, v.value, v.rationale, 0]));
  server.reply({ json: { value: 'yes', rationale: 'short' } });
  await run([{ judge: 'concise' }], model({ cacheDir, noCache: true }));
  assert.equal(server.chatRequests.length, 1);
});
