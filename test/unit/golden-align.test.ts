/**
 * Alignment end to end: real CLI command, real workspace and trace store, the real `openai`
 * client against the local test model server. The scripted judge reads its prompt like a
 * (very literal) model would:
 *  - by default it answers "yes" whenever the agent's answer mentions filling — right on the
 *    good and terse traces, wrong on the vague ones;
 *  - once its prompt carries the guideline "name the value used to fill", it answers "yes"
 *    only when the answer names one (the median) — right everywhere;
 *  - a prompt carrying ALWAYS-NO makes it answer "no" to everything.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { formatName, ModelServer, userPrompt } from '../support/modelServer';
import { alignCommand } from '../../src/cli/commands/align';
import { goldenFixture, type GoldenFixture } from '../fixtures/golden/goldenWorkspace';
import { readLabels, removeLabels } from '../../src/core/golden/store';
import { labelKey } from '../../src/core/golden/label';
import { runCommandInProcess, type CliResult } from '../support/cliInProcess';

const GUIDELINE = 'Say yes only when the answer names the value used to fill missing data.';

let server: ModelServer;
before(async () => {
  server = await ModelServer.start();
});
after(async () => {
  await server.close();
});


/** The scripted model: a judge whose behaviour depends on its prompt, a distiller and a reflector. */
function scriptModel(options: { distilled?: string; reflected?: string } = {}): void {
  server.reset();
  server.script({
    match: (b) => formatName(b) === 'judge_verdict',
    reply: (b) => {
      const prompt = userPrompt(b);
      const answer = /Agent's answer: (.*)/.exec(prompt)?.[1] ?? '';
      let value: 'yes' | 'no';
      if (prompt.includes('ALWAYS-NO')) value = 'no';
      else if (prompt.includes('names the value used to fill')) value = /median/.test(answer) ? 'yes' : 'no';
      else value = /fill/i.test(answer) ? 'yes' : 'no';
      return { json: { value, rationale: `scripted: ${value}` } };
    },
  });
  server.script({
    match: (b) => formatName(b) === 'distilled_guidelines',
    reply: (b) => {
      const ids = [...userPrompt(b).matchAll(/Example id: ([0-9a-f]{32})/g)].map((m) => m[1]!);
      return { json: { guidelines: [{ text: options.distilled ?? GUIDELINE, sources: ids.slice(0, 3) }, { text: 'A guideline citing nothing real.', sources: ['f'.repeat(32)] }] } };
    },
  });
  server.script({
    match: (b) => formatName(b) === 'judge_instructions',
    reply: () => ({ json: { instructions: options.reflected ?? `Task: {{ inputs }}\nAgent's answer: {{ outputs }}\nDoes the answer report every change made to the data? ${GUIDELINE}` } }),
  });
}

function runAlign(fixture: GoldenFixture, args: string[]): Promise<CliResult> {
  return runCommandInProcess(alignCommand, ['quality', ...args], fixture.ws.dir, { COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'test-model' });
}

test('memory alignment distils a cited guideline that raises held-out κ, and --write applies the offered judge version', async () => {
  scriptModel();
  const fixture = await goldenFixture({ good: 6, terse: 2, vague: 7 });
  try {
    const { code, stdout } = await runAlign(fixture, ['--method', 'memory', '--json', '--write']);
    const result = JSON.parse(stdout);
    assert.equal(code, 0, stdout);
    assert.deepEqual(result.split, { train: 10, heldOut: 5 });
    assert.ok(result.before.kappa < 1, `before: the literal judge is wrong on vague answers (κ ${result.before.kappa})`);
    assert.equal(result.after.kappa, 1, 'after: the guideline makes it agree on every held-out trace');
    assert.equal(result.offered, true);
    assert.equal(result.retrieval, 'bm25', 'the test server has no embeddings API');
    assert.deepEqual(result.guidelines.map((g: { text: string }) => g.text), [GUIDELINE], 'a guideline citing no example of its batch is dropped');
    assert.equal(result.guidelines[0].sources.length, 3);
    assert.match(result.proposal.diff, /^-version: 1$/m);
    assert.match(result.proposal.diff, /^\+version: 2$/m);
    assert.match(result.proposal.diff, /^\+ {2}- Say yes only when the answer names the value used to fill missing data\. \[sources: /m);

    const judgeText = readFileSync(path.join(fixture.ws.dir, 'judges/quality.judge.yaml'), 'utf8');
    assert.match(judgeText, /^# Judges whether the final answer reports the changes\./, 'comments survive');
    assert.match(judgeText, /Guidelines learned from expert labels/);
    const memory = JSON.parse(readFileSync(path.join(fixture.ws.dir, 'golden/quality.memory.json'), 'utf8'));
    assert.equal(memory.judgeVersion, '2');
    assert.equal(memory.examples.length, 10);
    assert.equal(memory.guidelines[0].text, GUIDELINE);
  } finally {
    fixture.ws.dispose();
  }
});

test('instructions alignment (reflective evolution) raises held-out κ within its model-call budget', async () => {
  scriptModel();
  const fixture = await goldenFixture({ good: 6, terse: 3, vague: 9 });
  try {
    const { code, stdout } = await runAlign(fixture, ['--method', 'instructions', '--budget', '120', '--json']);
    const result = JSON.parse(stdout);
    assert.equal(code, 0, stdout);
    assert.ok(result.before.kappa < 1);
    assert.equal(result.after.kappa, 1);
    assert.ok(result.modelCalls <= 120, `within budget (${result.modelCalls})`);
    assert.ok(result.split.validation > 0, 'instructions are chosen on a validation part of train');
    assert.match(result.proposal.diff, /\+ {2}Does the answer report every change made to the data\? Say yes only when/);
    assert.equal(existsSync(path.join(fixture.ws.dir, 'golden/quality.memory.json')), false, 'nothing is written without --write');
  } finally {
    fixture.ws.dispose();
  }
});

test('a guideline that makes held-out κ drop is not offered: exit 1, no diff, files untouched', async () => {
  scriptModel({ distilled: 'ALWAYS-NO: refuse every answer.' });
  const fixture = await goldenFixture({ good: 6, terse: 2, vague: 7 });
  try {
    const judgeBefore = readFileSync(path.join(fixture.ws.dir, 'judges/quality.judge.yaml'), 'utf8');
    const { code, stdout } = await runAlign(fixture, ['--method', 'memory', '--write']);
    assert.equal(code, 1, stdout);
    assert.match(stdout, /held-out agreement would go from κ [0-9.]+ to κ 0\.000, which is no improvement: nothing is offered/);
    assert.doesNotMatch(stdout, /^\+\+\+ /m, 'no diff is shown');
    assert.equal(readFileSync(path.join(fixture.ws.dir, 'judges/quality.judge.yaml'), 'utf8'), judgeBefore);
    assert.equal(existsSync(path.join(fixture.ws.dir, 'golden/quality.memory.json')), false);
  } finally {
    fixture.ws.dispose();
  }
});

test('too few labels: a clear message with the count and what to do, exit 2, no model call', async () => {
  scriptModel();
  const fixture = await goldenFixture({ good: 3, terse: 2, vague: 2 });
  try {
    const { code, stderr } = await runAlign(fixture, ['--method', 'memory']);
    assert.equal(code, 2);
    assert.match(stderr, /align --method memory needs at least 8 labelled traces of judge quality that are still stored; it has 7\. Label more traces/);
    assert.equal(server.chatRequests.length, 0);
  } finally {
    fixture.ws.dispose();
  }
});

test('unlearning: once every label a guideline cites is removed, the next alignment drops the guideline and says so', async () => {
  scriptModel();
  const fixture = await goldenFixture({ good: 6, terse: 2, vague: 7 });
  try {
    const first = JSON.parse((await runAlign(fixture, ['--method', 'memory', '--json', '--write'])).stdout);
    const sources = new Set<string>(first.guidelines[0].sources);
    const { labels } = await readLabels(fixture.ws.dir, 'quality');
    await removeLabels(fixture.ws.dir, 'quality', new Set(labels.filter((l) => sources.has(l.traceRef.traceId)).map(labelKey)));

    const { stdout } = await runAlign(fixture, ['--method', 'memory']);
    assert.match(stdout, /unlearned \(its labels are gone\): Say yes only when the answer names the value used to fill missing data\./);
    assert.match(stdout, /^align quality --method memory: 8 train, 4 held-out labelled traces/m, 'the 12 remaining labels');
  } finally {
    fixture.ws.dispose();
  }
});

test('a budget too small for the comparison itself ends with a clear message, not a half result', async () => {
  scriptModel();
  const fixture = await goldenFixture({ good: 6, terse: 2, vague: 7 });
  try {
    const { code, stderr, stdout } = await runAlign(fixture, ['--method', 'instructions', '--budget', '3']);
    assert.equal(code, 2, stdout);
    assert.match(stderr, /the model-call budget of 3 is used up before the before\/after comparison was complete: raise --budget/);
  } finally {
    fixture.ws.dispose();
  }
});
