/**
 * Memory alignment at judge time, end to end: the real runner (runSuite: runs an agent, then
 * re-scores its stored trace), the real `costar align` command, the real `openai` client and
 * the local test model server. Once `align --method memory --write` has written
 * golden/quality.memory.json, the judge's prompt in every run carries the k most similar
 * labelled examples, and the guidelines whose labels still exist.
 *
 * The scripted judge is a literal model: by default it answers "yes" whenever the agent's
 * answer mentions filling — wrong on the vague "Filled the missing values." — but when its
 * prompt shows an expert's verdict on a case with the same answer, it copies that verdict.
 * The distilled guideline is one it ignores, so any agreement gained comes from retrieval.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { alignCommand } from '../../src/cli/commands/align';
import { AlignmentMemories } from '../../src/core/golden/align/judgeTimeMemory';
import { withoutUnbackedGuidelines, GUIDELINES_HEADER } from '../../src/core/golden/align/memory';
import { memoryFile } from '../../src/core/golden/align/memoryFile';
import { labelKey } from '../../src/core/golden/label';
import { appendLabels, readLabels, removeLabels } from '../../src/core/golden/store';
import { loadGoldenJudge } from '../../src/core/golden/goldenWorkspace';
import { evaluateExpectations } from '../../src/core/judges/evaluate';
import { createModelClientFromEnv } from '../../src/core/llm/fromEnv';
import { PROTOCOL_VERSION, type RunReport } from '../../src/core/run/protocol';
import { newRunId } from '../../src/core/run/runStore';
import { TraceStore } from '../../src/core/trace/store';
import { runSuite } from '../../src/harness/suite';
import { goldenFixture, humanLabel, type GoldenFixture } from '../fixtures/golden/goldenWorkspace';
import { formatName, ModelServer, userPrompt } from '../support/modelServer';
import { runCommandInProcess } from '../support/cliInProcess';

const GUIDELINE = 'Grade what the answer states, not what the agent did.';
const VAGUE = 'Filled the missing values.';

let server: ModelServer;
before(async () => {
  server = await ModelServer.start();
});
after(async () => {
  await server.close();
});

/** The fixture appends "(file N)" to each answer; a case "like this one" ignores it. */
const gist = (answer: string) => answer.replace(/\s*\(file \d+\)\s*$/, '').trim();

function scriptModel(): void {
  server.reset();
  server.script({
    match: (b) => formatName(b) === 'judge_verdict',
    reply: (b) => {
      const prompt = userPrompt(b);
      const answer = gist(/Agent's answer: (.*)/.exec(prompt)?.[1] ?? '');
      const precedent = [...prompt.matchAll(/^Answer: (.*)\nExpert verdict: "(yes|no)"/gm)].find((m) => gist(m[1]!) === answer);
      const value = precedent ? precedent[2]! : /fill/i.test(answer) ? 'yes' : 'no';
      return { json: { value, rationale: precedent ? 'as the experts graded the same answer' : `literal: ${value}` } };
    },
  });
  server.script({
    match: (b) => formatName(b) === 'distilled_guidelines',
    reply: (b) => ({ json: { guidelines: [{ text: GUIDELINE, sources: [...userPrompt(b).matchAll(/Example id: ([0-9a-f]{32})/g)].slice(0, 3).map((m) => m[1]!) }] } }),
  });
}

const modelEnv = () => ({ COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'test-model' });

/** The golden fixture plus an agent that gives the vague answer and a scenario that judges it with `quality`. */
async function workspaceWithVagueAgent(): Promise<GoldenFixture> {
  const fixture = await goldenFixture({ good: 6, terse: 2, vague: 7 });
  fixture.ws.write('agent.mjs', `console.log(${JSON.stringify(VAGUE)});\n`);
  fixture.ws.write('vague.scenario.yaml', 'scenarios:\n  - id: vague-report\n    prompt: Clean sales file number 99\n    expectations:\n      - judge: quality\n');
  return fixture;
}

async function runOnce(fixture: GoldenFixture, mode: 'run' | 'rescore'): Promise<RunReport> {
  return runSuite({ v: PROTOCOL_VERSION, type: 'run', runId: newRunId(), workspaceDir: fixture.ws.dir, mode, secretEnv: modelEnv() }, () => {}, new AbortController().signal);
}

function qualityVerdict(report: RunReport) {
  const attempt = report.scenarios.find((s) => s.id === 'vague-report')!.attempts[0]!;
  return { traceId: attempt.traceId!, verdict: attempt.verdicts.find((v) => v.judge === 'quality')! };
}

const judgePrompts = () => server.chatRequests.filter((r) => formatName(r.body) === 'judge_verdict').map((r) => userPrompt(r.body));

async function align(fixture: GoldenFixture): Promise<{ code: number; result: any }> {
  const { code, stdout } = await runCommandInProcess(alignCommand, ['quality', '--method', 'memory', '--json', '--write'], fixture.ws.dir, modelEnv());
  return { code, result: JSON.parse(stdout) };
}

test('a memory-aligned judge sees similar labelled examples in runs: it disagrees with the expert before align --write and agrees after', { timeout: 60_000 }, async () => {
  scriptModel();
  const fixture = await workspaceWithVagueAgent();
  try {
    const first = await runOnce(fixture, 'run');
    const { traceId, verdict: beforeAlign } = qualityVerdict(first);
    assert.equal(beforeAlign.value, 'yes', 'the literal judge passes the vague answer');
    assert.doesNotMatch(judgePrompts().at(-1)!, /Similar cases graded by experts/);
    const runTrace = (await new TraceStore(fixture.ws.dir).get(traceId))!;
    await appendLabels(fixture.ws.dir, [{ ...humanLabel(runTrace, 'vague', 'ana', 30), traceRef: { ...humanLabel(runTrace, 'vague', 'ana', 30).traceRef, runId: first.runId, scenarioId: 'vague-report' } }]);

    const { code, result } = await align(fixture);
    assert.equal(code, 0, JSON.stringify(result.summary));
    assert.ok(result.afterWithExamples.kappa > result.before.kappa, 'retrieval raises held-out κ, so the new version is offered');
    assert.equal(result.memory.k, 3);

    const requestsBefore = server.chatRequests.length;
    const rescored = await runOnce(fixture, 'rescore');
    const { verdict: afterAlign } = qualityVerdict(rescored);
    assert.equal(afterAlign.value, 'no', 'now it agrees with the expert label');
    assert.equal(afterAlign.rationale, 'as the experts graded the same answer');
    const prompt = judgePrompts().at(-1)!;
    assert.match(prompt, /Similar cases graded by experts/);
    assert.equal((prompt.match(/^Example \d+:$/gm) ?? []).length, 3, 'k = 3 examples');
    assert.ok(prompt.includes(GUIDELINE), 'the guideline block of the judge file is in the prompt');
    assert.equal(prompt.split('Clean sales file number 99').length - 1, 1, 'the judged trace is never its own example');
    assert.equal(server.chatRequests.length, requestsBefore + 1);

    await runOnce(fixture, 'rescore');
    assert.equal(server.chatRequests.length, requestsBefore + 1, 'the same memory: the re-score is answered from the cache');

    // A second expert agrees with a "yes" example: the memory changed, this prompt did not.
    const example = result.memory.examples.find((e: { value: string }) => e.value === 'yes');
    const { trace: exampleTrace } = fixture.traces.find((t) => t.trace.info.traceId === example.traceId)!;
    await appendLabels(fixture.ws.dir, [{ ...humanLabel(exampleTrace, 'good', 'bo', 40), rationale: 'agreed' }]);
    await runOnce(fixture, 'rescore');
    assert.equal(server.chatRequests.length, requestsBefore + 2, 'a changed memory is never answered from the cache');
    assert.equal(judgePrompts().at(-1), prompt);
  } finally {
    fixture.ws.dispose();
  }
});

test('unlearning at judge time: removing the labels a guideline cites takes it (and their examples) out of the prompt, and the changed memory misses the cache', { timeout: 60_000 }, async () => {
  scriptModel();
  const fixture = await workspaceWithVagueAgent();
  try {
    await runOnce(fixture, 'run');
    const { result } = await align(fixture);
    assert.equal(result.offered, true);
    const sources = new Set<string>(result.guidelines[0].sources);
    await runOnce(fixture, 'rescore');
    assert.ok(judgePrompts().at(-1)!.includes(GUIDELINE));

    const { labels } = await readLabels(fixture.ws.dir, 'quality');
    await removeLabels(fixture.ws.dir, 'quality', new Set(labels.filter((l) => sources.has(l.traceRef.traceId)).map(labelKey)));
    const requestsBefore = server.chatRequests.length;
    await runOnce(fixture, 'rescore');
    assert.equal(server.chatRequests.length, requestsBefore + 1, 'a changed memory is never answered from the cache');
    const prompt = judgePrompts().at(-1)!;
    assert.ok(!prompt.includes(GUIDELINE), 'the guideline is unlearned at once');
    assert.ok(!prompt.includes(GUIDELINES_HEADER), 'no empty guidelines header is left');
    assert.match(readFileSync(path.join(fixture.ws.dir, 'judges/quality.judge.yaml'), 'utf8'), /Grade what the answer states/, 'the judge file is not touched');
  } finally {
    fixture.ws.dispose();
  }
});

test('a damaged memory file makes the judge an error that names the file, never a pass or a fail', async () => {
  scriptModel();
  const fixture = await goldenFixture({ good: 1, terse: 0, vague: 1 });
  try {
    writeFileSync(memoryFile(fixture.ws.dir, 'quality'), '{"judgeId": "quality"');
    const golden = await loadGoldenJudge(fixture.ws.dir, 'quality');
    const c = golden.cases[0]!;
    const model = createModelClientFromEnv(modelEnv(), undefined)!;
    const [verdict] = await evaluateExpectations({ trace: c.trace, scenario: c.scenario, workspaceDir: fixture.ws.dir, catalog: golden.catalog, model, signal: new AbortController().signal });
    assert.equal(verdict!.outcome, 'error');
    assert.match(verdict!.rationale, /quality\.memory\.json: not valid JSON .*delete it to start the memory afresh/);
    assert.equal(server.chatRequests.length, 0);
  } finally {
    fixture.ws.dispose();
  }
});

test('examples carry the experts\' current answers: a relabelled example shows the new value, and a judge without a memory is unchanged', async () => {
  const fixture = await goldenFixture({ good: 2, terse: 0, vague: 2 });
  try {
    const golden = await loadGoldenJudge(fixture.ws.dir, 'quality');
    const def = golden.judge.def!;
    const [judged, ...rest] = fixture.traces;
    const memories = new AlignmentMemories(fixture.ws.dir);
    assert.equal(await memories.promptFor(def, judged!.trace, golden.cases[0]!.scenario), undefined, 'no memory file: nothing changes');

    const examples = rest.map(({ trace }) => ({ traceId: trace.info.traceId, text: `Task: t\nAnswer: ${trace.info.traceId}`, value: 'yes', rationale: 'old' }));
    writeFileSync(memoryFile(fixture.ws.dir, 'quality'), JSON.stringify({ judgeId: 'quality', judgeVersion: '1', guidelines: [], examples, k: 5 }));
    const relabelled = rest.find((t) => t.kind === 'vague')!.trace;
    await appendLabels(fixture.ws.dir, [{ ...humanLabel(relabelled, 'good', 'ana', 50), rationale: 'on reflection, fine' }]);

    const prompt = (await memories.promptFor(def, judged!.trace, golden.cases[0]!.scenario))!;
    assert.equal((prompt.examples!.match(/^Example \d+:$/gm) ?? []).length, 3, 'every other example, the judged trace excluded');
    assert.match(prompt.examples!, new RegExp(`Answer: ${relabelled.info.traceId}\\nExpert verdict: "yes" — on reflection, fine`));
  } finally {
    fixture.ws.dispose();
  }
});

test('guideline lines whose cited traces are all unlabelled leave the instructions; uncited and partly backed lines stay', () => {
  const a = 'a'.repeat(32);
  const b = 'b'.repeat(32);
  const instructions = `Judge {{ outputs }}.\n\n${GUIDELINES_HEADER}\n- from a [sources: ${a}]\n- from a and b [sources: ${a}, ${b}]\n- written by hand\n`;
  assert.equal(withoutUnbackedGuidelines(instructions, new Set([b])), `Judge {{ outputs }}.\n\n${GUIDELINES_HEADER}\n- from a and b [sources: ${a}, ${b}]\n- written by hand\n`);
  const onlyCited = `Judge.\n\n${GUIDELINES_HEADER}\n- from a [sources: ${a}]\n`;
  assert.equal(withoutUnbackedGuidelines(onlyCited, new Set()), 'Judge.\n', 'no header left without guidelines');
  assert.equal(withoutUnbackedGuidelines('Judge.\n', new Set()), 'Judge.\n');
});
