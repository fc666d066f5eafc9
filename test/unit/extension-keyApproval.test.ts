/**
 * costar.yaml's `model.apiKeyEnv` in the editor: a variable other than OPENAI_API_KEY / COSTAR_*
 * is sent only after the user allowed it for that URL (a modal naming both), once per
 * workspace; never in an untrusted workspace. Fake host, real modelAccess code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscodeTypes from 'vscode';
import { ALLOW_KEY_ENV } from '../../src/core/llm/fromEnv';
import { modelEnvironmentFor } from '../../src/extension/modelAccess';
import { fakeHost } from './extension-fakeHost';

function memento(): vscodeTypes.Memento & { values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  return { values, keys: () => [...values.keys()], get: <T>(key: string, fallback?: T) => (values.has(key) ? values.get(key) : fallback) as T, update: async (key: string, value: unknown) => void values.set(key, value) } as never;
}

function host(answer: string | undefined, trusted = true) {
  const h = fakeHost('/ws', { trusted, settings: { 'costar.model.baseUrl': 'https://user:secret@models.example.invalid/v1' } });
  const asked: string[] = [];
  (h.vscode.window as { showWarningMessage: unknown }).showWarningMessage = (message: string) => (asked.push(message), Promise.resolve(answer));
  return { vscode: h.vscode, asked };
}

test('a non-default key variable is sent only after the user allows it for that URL, and the answer is remembered', async () => {
  const approvals = memento();
  const refused = host(undefined);
  const env = await modelEnvironmentFor(refused.vscode, approvals, '/ws', undefined, { apiKeyEnv: 'GITHUB_TOKEN' });
  assert.equal(env[ALLOW_KEY_ENV], undefined, 'dismissed: the variable is not allowed');
  assert.equal(refused.asked.length, 1);
  assert.match(refused.asked[0]!, /environment variable GITHUB_TOKEN as the model API key to https:\/\/\*\*\*@models\.example\.invalid\/v1\./);
  assert.doesNotMatch(refused.asked[0]!, /secret/, 'credentials in the URL are not shown');

  const allowed = host('Allow');
  assert.equal((await modelEnvironmentFor(allowed.vscode, approvals, '/ws', undefined, { apiKeyEnv: 'GITHUB_TOKEN' }))[ALLOW_KEY_ENV], 'GITHUB_TOKEN');
  const again = host(undefined);
  assert.equal((await modelEnvironmentFor(again.vscode, approvals, '/ws', undefined, { apiKeyEnv: 'GITHUB_TOKEN' }))[ALLOW_KEY_ENV], 'GITHUB_TOKEN');
  assert.equal(again.asked.length, 0, 'asked once per workspace and URL');
});

test('no question for the default variables, and none (and no key variable) in an untrusted workspace', async () => {
  const usual = host('Allow');
  assert.equal((await modelEnvironmentFor(usual.vscode, memento(), '/ws', 'sk-from-secret-storage', { apiKeyEnv: 'OPENAI_API_KEY' }))[ALLOW_KEY_ENV], undefined);
  assert.equal(usual.asked.length, 0);
  const untrusted = host('Allow', false);
  assert.equal((await modelEnvironmentFor(untrusted.vscode, memento(), '/ws', undefined, { apiKeyEnv: 'GITHUB_TOKEN' }))[ALLOW_KEY_ENV], undefined);
  assert.equal(untrusted.asked.length, 0);
});
