import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankQueue } from '../../src/core/golden/queue';
import { buildQueue } from '../../src/core/golden/queueSignals';
import { loadGoldenJudge } from '../../src/core/golden/goldenWorkspace';
import { traceCase } from '../../src/core/golden/traceCase';
import { OpenAIModelClient } from '../../src/core/llm/client';
import { saveReport } from '../../src/core/run/runStore';
import type { RunReport } from '../../src/core/run/protocol';
import type { Verdict } from '../../src/core/judges/types';
import { ModelServer } from '../support/modelServer';
import { goldenFixture } from '../fixtures/golden/goldenWorkspace';

test('a judge split 2/2 over its samples comes before one split 3/1, which comes before a unanimous one', () => {
  const q = rankQueue([
    { traceId: 'unanimous', samples: ['yes', 'yes', 'yes', 'yes'] },
    { traceId: 'even', samples: ['yes', 'no', 'no', 'yes'] },
    { traceId: 'lean', samples: ['yes', 'yes', 'no', 'yes'] },
  ]);
  assert.deepEqual(q.map((i) => i.traceId), ['even', 'lean', 'unanimous']);
  assert.equal(q[0]!.score, 1, 'an even split is the maximum sample disagreement');
  assert.equal(q[1]!.score, 0.5);
  assert.deepEqual(q[0]!.reasons, ['the judge disagrees with itself: 2× yes, 2× no in 4 samples']);
  assert.deepEqual(q[2]!.reasons, ['no sign of uncertainty: newest first']);
});

test('stated confidence and disagreement between judges add up, and each item says why it is first', () => {
  const q = rankQueue([
    { traceId: 'judges-split', judgeOutcomes: [{ judgeId: 'a', outcome: 'passed' }, { judgeId: 'b', outcome: 'failed' }, { judgeId: 'c', outcome: 'error' }] },
    { traceId: 'unsure', samples: ['yes', 'yes'], confidence: 0.4 },
    { traceId: 'both', samples: ['yes', 'no'], confidence: 0.5, judgeOutcomes: [{ judgeId: 'a', outcome: 'passed' }, { judgeId: 'b', outcome: 'failed' }] },
    { traceId: 'old', time: 1 },
    { traceId: 'new', time: 2 },
  ]);
  assert.deepEqual(q.map((i) => i.traceId), ['both', 'judges-split', 'unsure', 'new', 'old']);
  assert.equal(q[0]!.score, 1 + 0.25 + 0.75);
  assert.deepEqual(q[0]!.reasons, ['the judge disagrees with itself: 1× yes, 1× no in 2 samples', 'judges disagree: a passed, b failed', "the judge's stated confidence is 50 %"]);
  assert.equal(q[1]!.score, 0.75, 'an error is no opinion: 1 passed vs 1 failed is an even split');
  assert.ok(Math.abs(q[2]!.score - 0.3) < 1e-9);
});

test('buildQueue samples the judge through the model endpoint and reads other judges from the latest report', async () => {
  const server = await ModelServer.start();
  const fixture = await goldenFixture({ good: 1, terse: 1, vague: 1 }, { label: false });
  try {
    // The scripted judge wavers on the vague answer only: yes, no, yes, no…
    let vagueAsked = 0;
    server.script({
      match: (b) => b.response_format?.json_schema?.name === 'judge_verdict_sample',
      reply: (b) => {
        const prompt = String(b.messages[1].content);
        const value = prompt.includes('Filled the missing') ? (vagueAsked++ % 2 === 0 ? 'yes' : 'no') : prompt.includes('median') ? 'yes' : 'no';
        return { json: { value, rationale: 'sampled', confidence: prompt.includes('Filled the missing') ? 0.5 : 0.9 } };
      },
    });
    const [good, terse] = fixture.traces;
    const verdict = (judge: string, outcome: Verdict['outcome']): Verdict => ({ judge, name: judge, expectationIndex: 0, outcome, value: null, rationale: '', source: 'CODE', spanIds: [], judgeVersion: '1', cost: { inputTokens: 0, outputTokens: 0, modelCalls: 0, ms: 0 }, createdAt: 0 });
    const report: RunReport = {
      runId: '20250101-000000000-aaaaaa', mode: 'run', workspaceDir: fixture.ws.dir, startedAt: 0,
      summary: { total: 1, passed: 0, failed: 1, error: 0, skipped: 0, durationMs: 1 },
      scenarios: [{ id: 'clean-2', file: 'x', line: 1, status: 'failed', traceId: terse!.trace.info.traceId, durationMs: 1, attempts: [{ attempt: 1, status: 'failed', traceId: terse!.trace.info.traceId, durationMs: 1, verdicts: [verdict('file-exists', 'passed'), verdict('quality', 'failed')] }] }],
    };
    await saveReport(fixture.ws.dir, report);
    const golden = await loadGoldenJudge(fixture.ws.dir, 'quality');
    const cases = fixture.traces.map((t) => traceCase(t.trace, 'quality', golden.scenarios));
    const model = new OpenAIModelClient({ baseUrl: server.baseUrl, model: 'test-model', maxConcurrency: 1 });
    const queue = await buildQueue({ workspaceDir: fixture.ws.dir, def: golden.judge.def!, cases, model, samples: 4 });
    assert.deepEqual(queue.map((i) => i.traceId), [fixture.traces[2]!.trace.info.traceId, terse!.trace.info.traceId, good!.trace.info.traceId]);
    assert.match(queue[0]!.reasons[0]!, /^the judge disagrees with itself: 2× (yes|no), 2× (yes|no) in 4 samples$/);
    assert.deepEqual(queue[1]!.reasons, ['judges disagree: file-exists passed, quality failed', "the judge's stated confidence is 90 %"]);
    assert.equal(server.chatRequests.length, 12, '4 samples for each of 3 traces');
    assert.ok(server.chatRequests.every((r) => r.body.temperature === 1));
  } finally {
    fixture.ws.dispose();
    await server.close();
  }
});
