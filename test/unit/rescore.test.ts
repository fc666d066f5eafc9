/**
 * Re-scoring judges stored traces again without running any agent. It changes no trace,
 * stores its verdicts as a run of its own beside the original, and a repeated re-score of
 * unchanged traces costs zero model calls (the cache), through the real harness process and
 * the real `openai` client talking to a local OpenAI-compatible server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { startRun } from '../../src/core/run/client';
import { listRunIds, loadReport } from '../../src/core/run/runStore';
import { ModelServer } from '../support/modelServer';
import { HARNESS, configWithFixtureAgents, tempWorkspace } from '../support/workspace';

describe('re-scoring stored traces', { timeout: 60_000 }, () => {
  let server: ModelServer;
  const ws = tempWorkspace({
    'costar.yaml': configWithFixtureAgents({ greeter: ['pass.mjs'] }),
    'judges/greets.judge.yaml': 'id: greets\nkind: llm\nvalue: yes/no\npass: yes\ninstructions: "Does {{ outputs }} answer {{ inputs }}?"\n',
    'hello.scenario.yaml': 'scenarios:\n  - id: hello\n    prompt: say hello\n    expectations:\n      - judge: greets\n      - judge: file-exists\n        with: { paths: [answer.txt] }\n',
  });
  const traceFiles = () => readdirSync(path.join(ws.dir, '.costar', 'traces')).map((f) => [f, readFileSync(path.join(ws.dir, '.costar', 'traces', f), 'utf8')] as const);
  const run = (mode: 'run' | 'rescore', noCache = false) =>
    startRun(
      { workspaceDir: ws.dir, mode, ...(noCache ? { noCache } : {}), secretEnv: { COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'judge-model', OPENAI_API_KEY: 'sk-test-secret' } },
      { harnessPath: HARNESS },
    ).done;

  before(async () => {
    server = await ModelServer.start();
    server.reply({ json: { value: 'yes', rationale: 'it echoes the greeting' } });
  });
  after(async () => {
    await server.close();
    ws.dispose();
  });

  it('judges with the model on the first run', async () => {
    const report = await run('run');
    assert.equal(report.scenarios[0]!.status, 'passed');
    assert.equal(server.chatRequests.length, 1);
    assert.equal(server.chatRequests[0]!.headers.authorization, 'Bearer sk-test-secret');
  });

  it('re-scores without the agent, changing no trace, and the cache makes it free', async () => {
    const tracesBefore = traceFiles();
    const original = (await listRunIds(ws.dir)).at(-1)!;
    // Break the agent: a re-score must not start it.
    writeFileSync(path.join(ws.dir, 'costar.yaml'), configWithFixtureAgents({ greeter: ['crash.mjs'] }));

    const first = await run('rescore');
    assert.equal(first.mode, 'rescore');
    assert.equal(first.fromRunId, original);
    assert.equal(first.scenarios[0]!.status, 'passed');
    assert.equal(server.chatRequests.length, 1, 'the unchanged trace is judged from the cache');

    const second = await run('rescore');
    assert.equal(second.scenarios[0]!.attempts[0]!.verdicts[0]!.rationale, 'it echoes the greeting');
    assert.equal(server.chatRequests.length, 1, 'still zero new model calls');
    assert.deepEqual(traceFiles(), tracesBefore, 'no trace changed');

    // Nothing overwritten: the original run and both re-scores are kept side by side.
    const runs = await listRunIds(ws.dir);
    assert.equal(runs.length, 3);
    assert.equal((await loadReport(ws.dir, original)).mode, 'run');
  });

  it('--no-cache asks the model again', async () => {
    await run('rescore', true);
    assert.equal(server.chatRequests.length, 2);
  });

  it('never writes the API key into traces, reports or the cache', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else files.push(full);
      }
    };
    walk(path.join(ws.dir, '.costar'));
    assert.ok(files.length > 5);
    for (const file of files) assert.ok(!readFileSync(file, 'utf8').includes('sk-test-secret'), `${file} holds the key`);
  });
});
