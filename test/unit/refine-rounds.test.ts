/**
 * Another round: the developer rejects a hunk, the re-run is still red, and the next round's
 * assistant is told exactly which hunk was rejected and what failed in the re-run. Real
 * harness runs of a copy of the example workspace; the assistant is scripted on the test
 * model server. Requires `npm run build` (the harness runs from dist/harness.js).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { OpenAIModelClient } from '../../src/core/llm/client';
import { startRun } from '../../src/core/run/client';
import { feedbackFromPatch, feedbackFromRecord, resolveFeedback } from '../../src/core/refine/feedback';
import { listRefinementIds, loadRefinement, saveRefinement, type RefinementRecord } from '../../src/core/refine/history';
import { refineRounds } from '../../src/core/refine/refine';
import { ModelServer } from '../support/modelServer';
import { HARNESS } from '../support/workspace';
import { copyExampleWorkspace, SKILL } from './refine-workspace';

const MEDIAN_HUNK = '-- impute_numeric: mean\n+- impute_numeric: median';

function model(server: ModelServer) {
  return new OpenAIModelClient({ baseUrl: server.baseUrl, model: 'test-model', apiKey: 'test' });
}

test('round 2 is told the rejected hunk and the re-run’s failures, and turns the scenario green', async () => {
  const ws = copyExampleWorkspace();
  const server = await ModelServer.start();
  try {
    const first = await startRun({ workspaceDir: ws.dir, mode: 'run' }, { harnessPath: HARNESS }).done;
    const original = readFileSync(path.join(ws.dir, SKILL), 'utf8');
    // Round 1: a cosmetic hunk and the real fix; the developer keeps only the cosmetic one.
    server.reply({
      toolCalls: [{
        name: 'propose_edit',
        arguments: {
          path: SKILL,
          explanation: 'Median imputation resists outliers.',
          edits: [
            { search: '# Data-cleaning skill', replace: '# Data-cleaning skill (robust)' },
            { search: '- impute_numeric: mean', replace: '- impute_numeric: median' },
          ],
        },
      }],
    }, 1);
    server.reply({ content: 'Robust imputation.' }, 1);
    // Round 2: the assistant insists on the median, with a reason.
    server.reply({
      toolCalls: [{
        name: 'propose_edit',
        arguments: { path: SKILL, explanation: 'The judge requires the median: the mean is pulled up by two outliers.', edits: [{ search: '- impute_numeric: mean', replace: '- impute_numeric: median' }] },
      }],
    }, 1);
    server.reply({ content: 'Median, because of the outliers.' }, 1);

    const rounds: number[] = [];
    const result = await refineRounds({
      workspaceDir: ws.dir,
      agent: 'analyst',
      model: model(server),
      harnessPath: HARNESS,
      maxRounds: 3,
      onRound: (round) => rounds.push(round),
      decide: async (proposal) => (proposal.record.round === undefined ? [{ path: SKILL, accepted: [0] }] : 'all'),
    });

    assert.equal(result.stopReason, 'green');
    assert.deepEqual(rounds, [1, 2], 'no third round once green');
    const [one, two] = result.rounds;
    assert.deepEqual(one!.applied, [{ path: SKILL, accepted: [0], rejected: [1], written: true }]);
    const rerun = one!.verification!.summary;
    assert.deepEqual(rerun.stillFailing.map((s) => s.id), ['skewed-income'], 'the cosmetic hunk alone fixes nothing');

    // The first request of round 2 carries the rejected hunk, verbatim, and the re-run's verdicts.
    const roundTwoPrompt = server.chatRequests[2]!.body.messages[1].content as string;
    assert.ok(roundTwoPrompt.includes(MEDIAN_HUNK), roundTwoPrompt);
    assert.match(roundTwoPrompt, /### agents\/analyst\/skill.md — the developer rejected this/);
    assert.match(roundTwoPrompt, /accepted 1 hunk\(s\)/);
    assert.ok(roundTwoPrompt.includes(`These scenarios failed in run ${rerun.suiteRunId}`), 'round 2 refines the re-run, not the first run');
    assert.match(roundTwoPrompt, /median of the observed values is 47000/, 'the failing verdict of the re-run is in the context');
    assert.ok(!server.chatRequests[0]!.body.messages[1].content.includes('Previous round'), 'round 1 had no feedback');

    assert.equal(readFileSync(path.join(ws.dir, SKILL), 'utf8'), original.replace('# Data-cleaning skill', '# Data-cleaning skill (robust)').replace('impute_numeric: mean', 'impute_numeric: median'));
    assert.deepEqual(two!.verification!.summary.fixed.map((s) => s.id), ['skewed-income']);
    assert.deepEqual(two!.verification!.summary.newlyFailing, []);

    const [firstId, secondId] = await listRefinementIds(ws.dir);
    const second = await loadRefinement(ws.dir, secondId!);
    assert.equal(second.round, 2);
    assert.equal(second.previousRefinementId, firstId);
    assert.equal(second.fromRunId, rerun.suiteRunId);
    assert.ok(second.feedback?.includes(MEDIAN_HUNK));
    assert.equal((await loadRefinement(ws.dir, firstId!)).fromRunId, first.runId);
  } finally {
    await server.close();
    ws.dispose();
  }
});

test('rounds stop when nothing is accepted, and at maxRounds while still red', async () => {
  const ws = copyExampleWorkspace();
  const server = await ModelServer.start();
  try {
    await startRun({ workspaceDir: ws.dir, mode: 'run', scenarioIds: ['skewed-income'] }, { harnessPath: HARNESS }).done;
    const propose = () => {
      server.reply({ toolCalls: [{ name: 'propose_edit', arguments: { path: SKILL, explanation: 'title', edits: [{ search: '# Data-cleaning skill\n', replace: '# Data-cleaning skill\n\nRobust.\n' }] } }] }, 1);
      server.reply({ content: 'A note.' }, 1);
    };
    propose();
    const options = { workspaceDir: ws.dir, agent: 'analyst', model: model(server), harnessPath: HARNESS, suite: false };
    const rejected = await refineRounds({ ...options, maxRounds: 3, decide: async () => [] });
    assert.equal(rejected.stopReason, 'nothing-accepted');
    assert.equal(server.chatRequests.length, 2, 'no second round without a re-run');

    propose();
    const capped = await refineRounds({ ...options, maxRounds: 1, decide: async () => 'all' });
    assert.equal(capped.stopReason, 'max-rounds');
    assert.deepEqual(capped.rounds[0]!.verification!.summary.stillFailing.map((s) => s.id), ['skewed-income']);
    assert.equal(server.chatRequests.length, 4);
  } finally {
    await server.close();
    ws.dispose();
  }
});

function record(extra: Partial<RefinementRecord> = {}): RefinementRecord {
  return {
    id: '20250101-000000000-abcdef',
    createdAt: 0,
    agent: 'analyst',
    scenarioIds: ['skewed-income'],
    fromRunId: '20250101-000000000-aaaaaa',
    contextHash: '0'.repeat(64),
    model: 'test-model',
    usage: { inputTokens: 0, outputTokens: 0, steps: 1 },
    stopReason: 'done',
    summary: '',
    proposal: [
      { path: SKILL, original: 'a\nb\nc\n', proposed: 'A\nb\nC\n', explanation: 'caps' },
      { path: 'agents/analyst/NOTES.md', original: null, proposed: 'why\n', explanation: 'notes' },
    ],
    ...extra,
  };
}

test('feedback names every unanswered hunk with the way the review ended', () => {
  const text = feedbackFromRecord(record({
    decisions: [
      { path: SKILL, accepted: [0], rejected: [1], written: true, endedBy: 'editor-closed' },
      { path: 'agents/analyst/NOTES.md', accepted: [], rejected: [0], written: false },
    ],
  })).text;
  assert.match(text, /accepted 1 hunk/);
  assert.ok(text.includes(`### ${SKILL} — the developer closed the file without accepting this\n\`\`\`diff\n-c\n+C\n\`\`\``), text);
  assert.ok(text.includes('### agents/analyst/NOTES.md — the developer rejected this\n```diff\n(new file)\n+why\n```'), text);
  assert.ok(!text.includes('+A'), 'the accepted hunk is not reported as rejected');
});

test('a refinement without decisions (made by costar refine) counts as not applied at all', () => {
  const text = feedbackFromRecord(record()).text;
  assert.ok(text.includes('-a\n+A') && text.includes('-c\n+C'));
  assert.match(text, /did not apply this proposal/);
});

test('--feedback resolves a refinement id, a record file and a patch; anything else is a clear error', async () => {
  const ws = copyExampleWorkspace();
  try {
    await saveRefinement(ws.dir, record());
    assert.equal((await resolveFeedback(ws.dir, '20250101-000000000-abcdef', ws.dir)).previousRefinementId, '20250101-000000000-abcdef');
    writeFileSync(path.join(ws.dir, 'r.json'), JSON.stringify(record({ id: 'other' })));
    assert.equal((await resolveFeedback(ws.dir, 'r.json', ws.dir)).previousRefinementId, 'other');

    writeFileSync(path.join(ws.dir, 'rejected.patch'), `--- a/${SKILL}\n+++ b/${SKILL}\n@@ -8 +8 @@\n-- impute_numeric: mean\n+- impute_numeric: median\n`);
    const fromPatch = await resolveFeedback(ws.dir, 'rejected.patch', ws.dir);
    assert.ok(fromPatch.text.includes(`### ${SKILL} — the developer rejected this\n\`\`\`diff\n${MEDIAN_HUNK}\n\`\`\``), fromPatch.text);
    assert.equal(fromPatch.previousRefinementId, undefined);

    writeFileSync(path.join(ws.dir, 'notes.txt'), 'I did not like it\n');
    await assert.rejects(resolveFeedback(ws.dir, 'notes.txt', ws.dir), /notes.txt holds no diff hunks \("@@ … @@" sections\); give a patch of the rejected hunks/);
    await assert.rejects(resolveFeedback(ws.dir, 'nothing-here', ws.dir), /--feedback nothing-here: no refinement with this id in .costar\/refinements and no such file/);
    assert.throws(() => feedbackFromPatch('', 'empty.patch'), /empty.patch holds no diff hunks/);
  } finally {
    ws.dispose();
  }
});
