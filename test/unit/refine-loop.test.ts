/**
 * Red → green with the real pieces: the example workspace (a temp copy), a real harness run
 * where `skewed-income` fails, a scripted assistant on the test model server that reads
 * skill.md and proposes mean → median, then the accepted edit, a re-run of the targeted
 * scenario and of the whole suite, and the refinement history.
 * Requires `npm run build` (the harness runs from dist/harness.js, as in production).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { OpenAIModelClient } from '../../src/core/llm/client';
import { startRun } from '../../src/core/run/client';
import { loadRefinement, listRefinementIds } from '../../src/core/refine/history';
import { computeHunks } from '../../src/core/refine/hunks';
import { refineAndVerify } from '../../src/core/refine/refine';
import { ModelServer } from '../support/modelServer';
import { HARNESS } from '../support/workspace';
import { copyExampleWorkspace, SKILL } from './refine-workspace';

/** The assistant, scripted: look around, read the skill file, propose the fix, summarize. */
function scriptAssistant(server: ModelServer): void {
  server.reply({ toolCalls: [{ name: 'list_files', arguments: {} }] }, 1);
  server.reply({ toolCalls: [{ name: 'read_file', arguments: { path: SKILL } }] }, 1);
  server.reply({
    toolCalls: [
      {
        name: 'propose_edit',
        arguments: {
          path: SKILL,
          explanation: 'The income column is heavily skewed: the mean is pulled up by two outliers, the median is not.',
          edits: [{ search: '- impute_numeric: mean', replace: '- impute_numeric: median' }],
        },
      },
    ],
  }, 1);
  server.reply({ content: 'Impute numeric gaps with the median, which outliers do not move.' }, 1);
}

test('a scripted assistant fixes skewed-income: after accepting, the scenario passes and nothing else fails', async () => {
  const ws = copyExampleWorkspace();
  const server = await ModelServer.start();
  try {
    const before = await startRun({ workspaceDir: ws.dir, mode: 'run' }, { harnessPath: HARNESS }).done;
    assert.deepEqual(before.scenarios.filter((s) => s.status !== 'passed').map((s) => s.id), ['skewed-income'], 'the example starts red on skewed-income only');
    const skillBefore = readFileSync(path.join(ws.dir, SKILL), 'utf8');
    scriptAssistant(server);

    const phases: string[] = [];
    const result = await refineAndVerify({
      workspaceDir: ws.dir,
      agent: 'analyst',
      model: new OpenAIModelClient({ baseUrl: server.baseUrl, model: 'test-model', apiKey: 'test' }),
      harnessPath: HARNESS,
      decide: async (proposal) => {
        // Nothing is on disk before the decision.
        assert.equal(readFileSync(path.join(ws.dir, SKILL), 'utf8'), skillBefore);
        assert.deepEqual(proposal.record.proposal.map((f) => f.path), [SKILL]);
        return 'all';
      },
      onPhase: (phase) => phases.push(phase),
    });

    // The assistant was told the judge's rationale, and no trace was pasted into its prompt.
    const firstPrompt = JSON.stringify(server.chatRequests[0]!.body.messages);
    assert.match(firstPrompt, /robust-imputation/);
    assert.match(firstPrompt, /median of the observed values is 47000/);
    assert.ok(server.chatRequests[0]!.bytes < 30_000, `the first prompt is small (${server.chatRequests[0]!.bytes} bytes)`);
    assert.deepEqual(server.chatRequests[0]!.body.tools.map((t: any) => t.function.name), ['list_files', 'read_file', 'search', 'propose_edit']);

    assert.equal(readFileSync(path.join(ws.dir, SKILL), 'utf8'), skillBefore.replace('impute_numeric: mean', 'impute_numeric: median'));
    assert.deepEqual(phases, ['targeted', 'suite']);
    const summary = result.verification!.summary;
    assert.deepEqual(summary.fixed.map((s) => s.id), ['skewed-income']);
    assert.deepEqual(summary.stillFailing, []);
    assert.deepEqual(summary.newlyFailing, []);
    assert.equal(summary.passing, summary.total);

    const ids = await listRefinementIds(ws.dir);
    assert.equal(ids.length, 1);
    const record = await loadRefinement(ws.dir, ids[0]!);
    assert.equal(record.agent, 'analyst');
    assert.deepEqual(record.scenarioIds, ['skewed-income']);
    assert.equal(record.fromRunId, before.runId);
    assert.match(record.contextHash, /^[0-9a-f]{64}$/);
    assert.equal(record.stopReason, 'done');
    assert.equal(record.usage.steps, 4);
    assert.match(record.proposal[0]!.explanation, /skewed/);
    assert.deepEqual(record.decisions, [{ path: SKILL, accepted: [0], rejected: [], written: true }]);
    assert.deepEqual(record.verification, summary);
  } finally {
    await server.close();
    ws.dispose();
  }
});

test('rejecting every hunk leaves the files byte-identical and runs nothing', async () => {
  const ws = copyExampleWorkspace();
  const server = await ModelServer.start();
  try {
    await startRun({ workspaceDir: ws.dir, mode: 'run', scenarioIds: ['skewed-income'] }, { harnessPath: HARNESS }).done;
    const skillBefore = readFileSync(path.join(ws.dir, SKILL));
    scriptAssistant(server);
    const result = await refineAndVerify({
      workspaceDir: ws.dir,
      agent: 'analyst',
      model: new OpenAIModelClient({ baseUrl: server.baseUrl, model: 'test-model', apiKey: 'test' }),
      harnessPath: HARNESS,
      decide: async (proposal) => {
        assert.equal(computeHunks(proposal.record.proposal[0]!.original!, proposal.record.proposal[0]!.proposed).length, 1);
        return [{ path: SKILL, accepted: [] }];
      },
    });
    assert.equal(result.verification, undefined);
    assert.deepEqual(result.applied, [{ path: SKILL, accepted: [], rejected: [0], written: false }]);
    assert.ok(readFileSync(path.join(ws.dir, SKILL)).equals(skillBefore));
  } finally {
    await server.close();
    ws.dispose();
  }
});
