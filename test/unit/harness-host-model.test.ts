/**
 * A run started in the editor with the editor's model: the harness process asks its parent
 * for every model call over the protocol (modelRequest → modelReply), and its own model
 * client retries, caches and counts them like any endpoint's. The parent here answers from
 * a script, as the extension host answers from VS Code's Language Model API (that side runs
 * in the editor tier: test/integration/lmProvider.test.ts).
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRun, type RunClientOptions } from '../../src/core/run/client';
import type { ChatRequest } from '../../src/core/llm/types';
import { HOST_MODEL_VERSION } from '../../src/core/run/protocol';
import { ModelServer } from '../support/modelServer';
import { HARNESS, configWithFixtureAgents, tempWorkspace } from '../support/workspace';

type Answer = Awaited<ReturnType<NonNullable<RunClientOptions['answerModel']>>>;

describe('the editor model through the harness protocol', { timeout: 60_000 }, () => {
  let server: ModelServer;
  const ws = tempWorkspace({
    'costar.yaml': configWithFixtureAgents({ greeter: ['pass.mjs'] }),
    'judges/greets.judge.yaml': 'id: greets\nkind: llm\nvalue: yes/no\npass: yes\ninstructions: "Does {{ outputs }} answer {{ inputs }}?"\n',
    'judges/endpoint.judge.yaml': 'id: endpoint\nkind: llm\nmodel: openai-compatible:judge-model\ninstructions: "Is {{ outputs }} polite?"\n',
    'hello.scenario.yaml': 'scenarios:\n  - id: hello\n    prompt: say hello\n    expectations:\n      - judge: greets\n',
    'mixed.scenario.yaml': 'scenarios:\n  - id: mixed\n    prompt: say hello\n    expectations:\n      - judge: greets\n      - judge: endpoint\n',
  });
  let asked: { model: string; request: ChatRequest }[] = [];
  let script: (n: number) => Answer = () => ({ reply: reply({ value: 'yes', rationale: 'it greets' }) });

  function reply(json: unknown) {
    return { content: JSON.stringify(json), toolCalls: [], finishReason: 'stop', model: 'test-vendor/judge', inputTokens: 30, outputTokens: 4 };
  }

  const run = (mode: 'run' | 'rescore', scenarioIds: string[], options: { secretEnv?: Record<string, string>; noCache?: boolean } = {}) =>
    startRun(
      { workspaceDir: ws.dir, mode, scenarioIds, secretEnv: options.secretEnv ?? {}, noCache: options.noCache ?? false, hostModel: { version: HOST_MODEL_VERSION, model: 'test-vendor/judge' } },
      {
        harnessPath: HARNESS,
        answerModel: async (model, request) => {
          asked.push({ model, request });
          return script(asked.length - 1);
        },
      },
    ).done;

  before(async () => {
    server = await ModelServer.start();
  });
  beforeEach(() => {
    asked = [];
    server.reset();
    script = () => ({ reply: reply({ value: 'yes', rationale: 'it greets' }) });
  });
  after(async () => {
    await server.close();
    ws.dispose();
  });

  it('judges with the editor model: asked through the parent, counted, and cached for the re-score', async () => {
    const report = await run('run', ['hello']);
    const verdict = report.scenarios[0]!.attempts[0]!.verdicts[0]!;
    assert.equal(verdict.outcome, 'passed', verdict.rationale);
    assert.deepEqual([verdict.cost.modelCalls, verdict.cost.inputTokens, verdict.cost.outputTokens], [1, 30, 4]);
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.model, 'test-vendor/judge');
    assert.equal(asked[0]!.request.responseFormat?.name, 'judge_verdict');
    assert.equal(server.chatRequests.length, 0, 'no endpoint was asked');

    const again = await run('rescore', ['hello']);
    assert.equal(again.scenarios[0]!.status, 'passed');
    assert.equal(asked.length, 1, 'the re-score came from the reply cache');
  });

  it("a transient failure of the editor's model is retried by the harness, and every request counted", async () => {
    script = (n) => (n === 0 ? { failure: { kind: 'http', status: 429, message: 'rate limited (scripted)', transient: true, retryAfterMs: 0 } } : { reply: reply({ value: 'yes', rationale: 'fine' }) });
    const verdict = (await run('rescore', ['hello'], { noCache: true })).scenarios[0]!.attempts[0]!.verdicts[0]!;
    assert.equal(verdict.outcome, 'passed', verdict.rationale);
    assert.equal(asked.length, 2);
    assert.equal(verdict.cost.modelCalls, 2);
  });

  it('a refusal (the user declined consent) is an error verdict that says so, and is not retried', async () => {
    script = () => ({ failure: { kind: 'refused', message: 'the user did not allow coSTAR to use the test-vendor models' } });
    const verdict = (await run('rescore', ['hello'], { noCache: true })).scenarios[0]!.attempts[0]!.verdicts[0]!;
    assert.equal(verdict.outcome, 'error');
    assert.match(verdict.rationale, /did not allow coSTAR/);
    assert.equal(asked.length, 1);
    assert.equal(verdict.cost.modelCalls, 1);
  });

  it('a judge naming openai-compatible:… goes to the endpoint while the others use the editor model', async () => {
    server.reply({ json: { value: true, rationale: 'polite enough' } });
    const report = await run('run', ['mixed'], { secretEnv: { COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'other-model' } });
    const [greets, endpoint] = report.scenarios[0]!.attempts[0]!.verdicts;
    assert.equal(greets!.outcome, 'passed');
    assert.equal(endpoint!.outcome, 'passed', endpoint!.rationale);
    assert.equal(server.chatRequests.length, 1);
    assert.equal(server.chatRequests[0]!.body.model, 'judge-model');
    assert.equal(asked.length, 1);
  });

  it('without an endpoint, a judge naming openai-compatible:… is an error that says how to configure one', async () => {
    const report = await run('run', ['mixed']);
    const endpoint = report.scenarios[0]!.attempts[0]!.verdicts[1]!;
    assert.equal(endpoint.outcome, 'error');
    assert.match(endpoint.rationale, /names the openai-compatible model "openai-compatible:judge-model".*COSTAR_MODEL_BASE_URL/);
  });
});
