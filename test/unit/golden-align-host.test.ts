/**
 * The host logic of "coSTAR: Align Judge" (src/extension/align/alignFlow.ts) without an
 * editor: which judges are offered, one alignment against the local test model server, the
 * sentence shown, accept/reject, and cancelling. The scripted judge answers "yes" whenever
 * the answer mentions filling, and follows the guideline "names the value used to fill" once
 * its prompt carries it (ALWAYS-NO makes it refuse everything).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AlignmentCancelled } from '../../src/core/golden/align/budget';
import { memoryFile } from '../../src/core/golden/align/memoryFile';
import { alignableJudges, decideAlignment, describeAlignment, JudgeFileChanged, NoModelConfigured, runAlignment } from '../../src/extension/align/alignFlow';
import { workspaceModelClient } from '../../src/extension/llm/editorModels';
import type { Env } from '../../src/core/llm/fromEnv';
import type { WorkspaceConfig } from '../../src/core/scenario/schema';
import { goldenFixture, OUTPUTS } from '../fixtures/golden/goldenWorkspace';
import { formatName, ModelServer, userPrompt } from '../support/modelServer';
import { fakeHost } from './extension-fakeHost';
import { fakeLm } from './extension-fakeLm';

const GUIDELINE = 'Say yes only when the answer names the value used to fill missing data.';

let server: ModelServer;
before(async () => {
  server = await ModelServer.start();
});
after(async () => {
  await server.close();
});

const env = () => ({ COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'test-model' });

/**
 * What the command passes as `modelFor`: the editor's provider seam (workspaceModelClient) on a
 * fake host with these settings (default: the OpenAI-compatible endpoint) and Language Model API.
 */
function seam(workspaceDir: string, modelEnv: Env, host: { settings?: Record<string, unknown>; lm?: Record<string, unknown> } = {}) {
  const { vscode } = fakeHost(workspaceDir, host);
  return { env: modelEnv, modelFor: (config: WorkspaceConfig) => workspaceModelClient(vscode, workspaceDir, modelEnv, config.model) };
}

function scriptModel(guideline = GUIDELINE): void {
  server.reset();
  server.script({
    match: (b) => formatName(b) === 'judge_verdict',
    reply: (b) => {
      const prompt = userPrompt(b);
      const answer = /Agent's answer: (.*)/.exec(prompt)?.[1] ?? '';
      let value = /fill/i.test(answer) ? 'yes' : 'no';
      if (prompt.includes('ALWAYS-NO')) value = 'no';
      else if (prompt.includes('names the value used to fill')) value = /median/.test(answer) ? 'yes' : 'no';
      return { json: { value, rationale: `scripted: ${value}` } };
    },
  });
  server.script({
    match: (b) => formatName(b) === 'distilled_guidelines',
    reply: (b) => ({ json: { guidelines: [{ text: guideline, sources: [...userPrompt(b).matchAll(/Example id: ([0-9a-f]{32})/g)].slice(0, 3).map((m) => m[1]!) }] } }),
  });
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('only LLM judges in judge files are offered, with how many traces are labelled', async () => {
  const fixture = await goldenFixture({ good: 2, terse: 1, vague: 1 });
  try {
    fixture.ws.write('judges/deep.judge.yaml', 'id: deep\nkind: llm\nvalue: yes/no\npass: yes\ninstructions: "Inspect {{ trace }}"\n');
    fixture.ws.write('judges/short.judge.yaml', 'id: short\nkind: llm\nvalue: yes/no\npass: yes\ninstructions: "Is {{ outputs }} short?"\n');
    const { judges } = await alignableJudges(fixture.ws.dir);
    assert.deepEqual(judges.map((j) => [j.id, j.labelled, j.version]), [['quality', 4, '1'], ['short', 0, '1']], 'agentic and built-in judges are not offered; most labelled first');
    assert.equal(judges[0]!.file, path.join(fixture.ws.dir, 'judges/quality.judge.yaml'));
  } finally {
    fixture.ws.dispose();
  }
});

test('an offered version: κ before → after is reported; reject leaves the judge file byte-identical, accept writes it and the memory', async () => {
  scriptModel();
  const fixture = await goldenFixture({ good: 6, terse: 2, vague: 7 });
  const judgeFile = path.join(fixture.ws.dir, 'judges/quality.judge.yaml');
  try {
    const original = readFileSync(judgeFile);
    const progress: string[] = [];
    const run = await runAlignment({ workspaceDir: fixture.ws.dir, judgeId: 'quality', method: 'memory', ...seam(fixture.ws.dir, env()), onProgress: (m) => progress.push(m) });
    assert.equal(run.result.offered, true);
    assert.match(describeAlignment(run.result), /^quality \(memory\): held-out κ (-?\d\.\d\d) → 1\.00 \(with bm25 retrieval of similar labelled examples\) on 5 held-out traces; held-out agreement rises from κ [-0-9.]+ to κ 1\.000: a new judge version is offered\.$/);
    assert.ok(progress.includes('scoring the current judge on 5 held-out traces'), progress.join(' | '));
    assert.ok(run.notes.some((n) => /BM25/.test(n)), 'the test server has no embeddings: the note says so');

    assert.deepEqual(await decideAlignment(fixture.ws.dir, run, 'reject'), []);
    assert.deepEqual(readFileSync(judgeFile), original);
    assert.equal(existsSync(memoryFile(fixture.ws.dir, 'quality')), false);

    const written = await decideAlignment(fixture.ws.dir, run, 'accept');
    assert.deepEqual(written, [judgeFile, memoryFile(fixture.ws.dir, 'quality')]);
    assert.equal(readFileSync(judgeFile, 'utf8'), run.result.proposal!.text);
    assert.match(readFileSync(judgeFile, 'utf8'), /^version: 2$/m);
  } finally {
    fixture.ws.dispose();
  }
});

test('accept refuses when the judge file changed while the alignment ran, and keeps the edit', async () => {
  scriptModel();
  const fixture = await goldenFixture({ good: 6, terse: 2, vague: 7 });
  const judgeFile = path.join(fixture.ws.dir, 'judges/quality.judge.yaml');
  try {
    const run = await runAlignment({ workspaceDir: fixture.ws.dir, judgeId: 'quality', method: 'memory', ...seam(fixture.ws.dir, env()) });
    const edited = readFileSync(judgeFile, 'utf8').replace('Does the answer', 'Does the final answer');
    writeFileSync(judgeFile, edited);
    await assert.rejects(decideAlignment(fixture.ws.dir, run, 'accept'), (e: Error) => e instanceof JudgeFileChanged && /judges\/quality\.judge\.yaml changed while the alignment ran; nothing was written/.test(e.message));
    assert.equal(readFileSync(judgeFile, 'utf8'), edited);
    assert.equal(existsSync(memoryFile(fixture.ws.dir, 'quality')), false);
  } finally {
    fixture.ws.dispose();
  }
});

test('nothing offered: the message says why, and there is nothing to accept', async () => {
  scriptModel('ALWAYS-NO: refuse every answer.');
  const fixture = await goldenFixture({ good: 6, terse: 2, vague: 7 });
  try {
    const run = await runAlignment({ workspaceDir: fixture.ws.dir, judgeId: 'quality', method: 'memory', ...seam(fixture.ws.dir, env()) });
    assert.equal(run.result.offered, false);
    assert.match(describeAlignment(run.result), /→ 0\.00 .*which is no improvement: nothing is offered\.$/);
    await assert.rejects(decideAlignment(fixture.ws.dir, run, 'accept'), /nothing to accept/);
  } finally {
    fixture.ws.dispose();
  }
});

test('cancelling stops a model call in flight: AlignmentCancelled, nothing written', async () => {
  server.reset();
  server.reply({ fault: 'slow', delayMs: 30_000, then: { json: { value: 'yes', rationale: 'late' } } });
  const fixture = await goldenFixture({ good: 6, terse: 2, vague: 7 });
  try {
    const cancel = new AbortController();
    const started = Date.now();
    const running = runAlignment({ workspaceDir: fixture.ws.dir, judgeId: 'quality', method: 'instructions', ...seam(fixture.ws.dir, env()), signal: cancel.signal });
    await waitFor(() => server.chatRequests.length > 0, 'the first model call');
    cancel.abort();
    await assert.rejects(running, AlignmentCancelled);
    assert.ok(Date.now() - started < 30_000, 'the slow call was not waited for');
    assert.equal(existsSync(memoryFile(fixture.ws.dir, 'quality')), false);
  } finally {
    fixture.ws.dispose();
  }
});

test('without a model the alignment refuses with how to configure one, before any call', async () => {
  server.reset();
  const fixture = await goldenFixture({ good: 6, terse: 2, vague: 7 });
  try {
    // Nothing here names an endpoint, so no request can reach the test server: counting its
    // requests only ever saw a straggler of the cancelled alignment before (a flake under
    // load). The refusal itself is the proof: NoModelConfigured comes before any client exists.
    await assert.rejects(runAlignment({ workspaceDir: fixture.ws.dir, judgeId: 'quality', method: 'memory', ...seam(fixture.ws.dir, {}) }), (e: Error) => e instanceof NoModelConfigured && /Set API Key/.test(e.message));
  } finally {
    fixture.ws.dispose();
  }
});

/** The judge as the editor's model plays it: the schema is in the prompt, the reply is text. */
function editorJudge(request: { messages: { text: string }[] }): string {
  const prompt = request.messages.map((m) => m.text).join('\n');
  if (prompt.includes('"guidelines"')) {
    const sources = [...prompt.matchAll(/Example id: ([0-9a-f]{32})/g)].slice(0, 3).map((m) => m[1]!);
    return JSON.stringify({ guidelines: [{ text: GUIDELINE, sources }] });
  }
  const answer = /Agent's answer: (.*)/.exec(prompt)?.[1] ?? '';
  const yes = prompt.includes('names the value used to fill') ? /median/.test(answer) : /fill/i.test(answer);
  return `My verdict:\n\`\`\`json\n${JSON.stringify({ value: yes ? 'yes' : 'no', rationale: 'editor model' })}\n\`\`\``;
}

test('with costar.model.provider "vscode" the alignment runs on the editor\'s model: no endpoint, no key', async () => {
  server.reset();
  const fixture = await goldenFixture({ good: 6, terse: 2, vague: 7 });
  const lm = fakeLm([{ vendor: 'costar-test', id: 'other', family: 'f' }, { vendor: 'costar-test', id: 'scripted', family: 'f' }], editorJudge);
  try {
    const settings = { 'costar.model.provider': 'vscode', 'costar.model.editorModel': 'costar-test/scripted' };
    const run = await runAlignment({ workspaceDir: fixture.ws.dir, judgeId: 'quality', method: 'memory', ...seam(fixture.ws.dir, {}, { settings, lm: lm.api }) });
    assert.equal(run.result.offered, true, describeAlignment(run.result));
    assert.match(describeAlignment(run.result), /→ 1\.00/);
    assert.equal(server.requests.length, 0, 'nothing went to an endpoint');
    assert.ok(lm.requests.length >= run.result.modelCalls && run.result.modelCalls > 0, `${lm.requests.length} editor requests for ${run.result.modelCalls} model calls`);
    assert.ok(lm.requests.every((r) => r.model === 'costar-test/scripted'), 'the model picked with Select Model');
    assert.ok(lm.requests.some((r) => r.messages.some((m) => m.text.includes(OUTPUTS.vague))), 'the judge saw the traces');
  } finally {
    fixture.ws.dispose();
  }
});

test('with the editor provider but no editor model installed, the alignment fails saying so and how to pick one', async () => {
  const fixture = await goldenFixture({ good: 6, terse: 2, vague: 7 });
  try {
    const lm = fakeLm([], editorJudge);
    const options = seam(fixture.ws.dir, {}, { settings: { 'costar.model.provider': 'vscode' }, lm: lm.api });
    await assert.rejects(runAlignment({ workspaceDir: fixture.ws.dir, judgeId: 'quality', method: 'instructions', ...options }), /no VS Code language model matches "any".*Select Model/);
  } finally {
    fixture.ws.dispose();
  }
});
