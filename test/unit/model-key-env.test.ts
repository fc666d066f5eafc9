/**
 * `model.apiKeyEnv` in a cloned costar.yaml can name any variable: coSTAR reads only
 * OPENAI_API_KEY and COSTAR_* unless the user lists the name in COSTAR_ALLOW_KEY_ENV; and a base
 * URL with credentials never shows up in report.json or on the terminal. Real CLI process, real
 * HTTP to the local model server. Requires `npm run build`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { keyEnvApproved, resolveModelSettings } from '../../src/core/llm/fromEnv';
import { redactUrlCredentials } from '../../src/core/util/redact';
import { ModelServer } from '../support/modelServer';
import { CLI, configWithFixtureAgents, tempWorkspace, type TempWorkspace } from '../support/workspace';

describe('which variable may hold the model key', () => {
  it('OPENAI_API_KEY and COSTAR_* by default; anything else only when listed in COSTAR_ALLOW_KEY_ENV', () => {
    assert.equal(keyEnvApproved('OPENAI_API_KEY', {}), true);
    assert.equal(keyEnvApproved('COSTAR_JUDGE_KEY', {}), true);
    assert.equal(keyEnvApproved('GITHUB_TOKEN', {}), false);
    assert.equal(keyEnvApproved('GITHUB_TOKEN', { COSTAR_ALLOW_KEY_ENV: 'AZURE_KEY, GITHUB_TOKEN' }), true);
    assert.equal(keyEnvApproved('GITHUB', { COSTAR_ALLOW_KEY_ENV: 'GITHUB_TOKEN' }), false);
    const refused = resolveModelSettings({ GITHUB_TOKEN: 'ghp-secret' }, { apiKeyEnv: 'GITHUB_TOKEN', model: 'm' });
    assert.equal(refused.apiKey, undefined);
    assert.equal(refused.refusedKeyEnv, 'GITHUB_TOKEN');
  });

  it('credentials in URLs are redacted wherever the text quotes them', () => {
    assert.equal(redactUrlCredentials('cannot reach https://bob:hunter2@api.example.com/v1/chat: x'), 'cannot reach https://***@api.example.com/v1/chat: x');
    assert.equal(redactUrlCredentials('http://token@h/v1 and http://h:80/v1'), 'http://***@h/v1 and http://h:80/v1');
  });
});

describe('the CLI with a costar.yaml that names GITHUB_TOKEN as the key', { timeout: 120_000 }, () => {
  let server: ModelServer;
  let ws: TempWorkspace;
  // Not spawnSync: the model server answers from this process's event loop.
  const run = (env: Record<string, string>) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, 'run', '--workspace', ws.dir, '--no-cache'], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env.PATH!, HOME: process.env.HOME!, GITHUB_TOKEN: 'ghp-secret-token', ...env },
      }, (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }));
    });

  before(async () => {
    server = await ModelServer.start();
    server.reply({ json: { value: true, rationale: 'fine' } });
    ws = tempWorkspace({
      'costar.yaml': `${configWithFixtureAgents({ pass: ['pass.mjs'] })}model:\n  baseUrl: ${server.baseUrl}\n  model: judge-model\n  apiKeyEnv: GITHUB_TOKEN\n`,
      'judges/q.judge.yaml': 'id: q\nkind: llm\ninstructions: "Is {{ outputs }} fine?"\n',
      's.scenario.yaml': 'scenarios:\n  - id: one\n    prompt: hi\n    expectations: [{ judge: q }]\n',
    });
  });
  after(async () => {
    await server.close();
    ws.dispose();
  });

  it('does not read the variable: the endpoint never receives it, and a warning says how to allow it', async () => {
    const result = await run({});
    assert.ok(server.chatRequests.length > 0, 'the judge still asked the (keyless) endpoint');
    for (const request of server.requests) assert.ok(!JSON.stringify(request.headers).includes('ghp-secret-token'), 'the token was sent');
    assert.match(result.stdout + result.stderr, /model\.apiKeyEnv "GITHUB_TOKEN".*COSTAR_ALLOW_KEY_ENV=GITHUB_TOKEN/);
  });

  it('reads it once the user lists it in COSTAR_ALLOW_KEY_ENV', async () => {
    server.requests.length = 0;
    const result = await run({ COSTAR_ALLOW_KEY_ENV: 'GITHUB_TOKEN' });
    assert.equal(result.status, 0, result.stderr);
    assert.ok(server.chatRequests.some((r) => r.headers.authorization === 'Bearer ghp-secret-token'));
  });

  it('a base URL with credentials is redacted in report.json and on the terminal', async () => {
    const withCredentials = server.baseUrl.replace('http://', 'http://alice:s3cr3t-pw@');
    const result = await run({ COSTAR_MODEL_BASE_URL: withCredentials, OPENAI_API_KEY: 'sk-x', COSTAR_ALLOW_KEY_ENV: '' });
    assert.ok(!`${result.stdout}${result.stderr}`.includes('s3cr3t-pw'), result.stdout);
    const runsDir = path.join(ws.dir, '.costar', 'runs');
    for (const id of readdirSync(runsDir)) assert.ok(!readFileSync(path.join(runsDir, id, 'report.json'), 'utf8').includes('s3cr3t-pw'), `report ${id}`);
    assert.match(result.stdout, /\*\*\*@127\.0\.0\.1/);
  });
});
