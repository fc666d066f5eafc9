import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { modelEnvironment, type CostarSettings } from '../../src/extension/settings';

const settings: CostarSettings = { modelBaseUrl: 'http://127.0.0.1:9/v1', modelName: 'tiny', modelProvider: 'openai-compatible', editorModel: '', concurrency: 0, defaultTimeoutSeconds: 0 };

test('the harness gets the key under the variable costar.yaml names, plus base URL and model', () => {
  assert.deepEqual(modelEnvironment(settings, 'sk-test', 'MY_KEY'), {
    MY_KEY: 'sk-test',
    COSTAR_MODEL_BASE_URL: 'http://127.0.0.1:9/v1',
    COSTAR_MODEL: 'tiny',
  });
});

test('empty settings and no key add nothing, so costar.yaml decides', () => {
  assert.deepEqual(modelEnvironment({ ...settings, modelBaseUrl: '', modelName: '' }, undefined), {});
});

test('the key defaults to OPENAI_API_KEY', () => {
  assert.deepEqual(Object.keys(modelEnvironment({ ...settings, modelBaseUrl: '', modelName: '' }, 'k')), ['OPENAI_API_KEY']);
});
