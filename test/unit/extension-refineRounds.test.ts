/**
 * The Refine round flow of the editor (src/extension/refine/roundFlow.ts) in plain Node: the
 * fake VS Code host, the real Discovery / TestTree / RunHandler and harness on a copy of the
 * example workspace, the real inline proposals, and the assistant scripted on the test model
 * server. What the developer sees — notifications, progress, the hunks and their decisions,
 * and each Test Explorer run — is asserted as one ASCII log. Requires `npm run build`.
 */
import { after, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as vscodeTypes from 'vscode';
import { OpenAIModelClient } from '../../src/core/llm/client';
import { latestRun } from '../../src/core/run/runStore';
import { InlineProposals } from '../../src/extension/refine/proposals';
import { startRound, type RefineSession, type RoundOutcome } from '../../src/extension/refine/roundFlow';
import { ModelServer } from '../support/modelServer';
import { HARNESS } from '../support/workspace';
import { testingEditor, until } from './extension-editor';
import { fakeHost, FakeCancellationTokenSource, FakeTestRunRequest } from './extension-fakeHost';
import { copyExampleWorkspace, SKILL } from './refine-workspace';

const workspaces: { dispose(): void }[] = [];
after(() => {
  for (const ws of workspaces) ws.dispose();
});

/** The proposal of round 1: a cosmetic hunk and the real fix. */
const ROUND_ONE = {
  path: SKILL,
  explanation: 'Median imputation resists outliers.',
  edits: [
    { search: '# Data-cleaning skill', replace: '# Data-cleaning skill (robust)' },
    { search: '- impute_numeric: mean', replace: '- impute_numeric: median' },
  ],
};
const ROUND_TWO = { path: SKILL, explanation: 'The judge requires the median: two outliers pull the mean up.', edits: [{ search: '- impute_numeric: mean', replace: '- impute_numeric: median' }] };

it('a Refine round in the editor: red run, hunks accepted and rejected, re-run, round 2 told the rejection, green', { timeout: 240_000 }, async () => {
  const ws = copyExampleWorkspace();
  workspaces.push(ws);
  const host = fakeHost(ws.dir);
  const editor = await testingEditor(host, ws.dir);
  const server = await ModelServer.start();
  try {
    const log = host.timeline;
    let runs = 0;
    const logRun = async (what: string, items: vscodeTypes.TestItem[] | undefined) => {
      await editor.handler.runOnce(new FakeTestRunRequest((items ?? editor.tree.scenarioItems(ws.dir)) as never) as never, new FakeCancellationTokenSource().token as never, 'run');
      const run = editor.controller.runs.at(-1)!;
      log.push(`run ${++runs} (${what})`, ...outcomes(run.renderLog(ws.dir, { streams: false })).map((l) => `  ${l}`));
    };

    await logRun('the developer runs the suite', undefined);
    const before = readFileSync(path.join(ws.dir, SKILL), 'utf8');

    server.reply({ toolCalls: [{ name: 'propose_edit', arguments: ROUND_ONE }] }, 1);
    server.reply({ content: 'Robust imputation.' }, 1);
    server.reply({ toolCalls: [{ name: 'propose_edit', arguments: ROUND_TWO }] }, 1);
    server.reply({ content: 'Median, because of the outliers.' }, 1);

    const proposals = new InlineProposals(host.vscode);
    const skill = host.vscode.Uri.file(path.join(ws.dir, SKILL));
    proposals.onDidResolve((file) => log.push(`decided ${file.path}: accepted ${JSON.stringify(file.accepted)}, rejected ${JSON.stringify(file.rejected)}${file.written ? ', written' : ''}`));
    const session: RefineSession = {
      vscode: host.vscode, proposals, workspaceDir: ws.dir, agent: 'analyst', secretEnv: {},
      model: new OpenAIModelClient({ baseUrl: server.baseUrl, model: 'test-model', apiKey: 'test' }),
      verifyWithoutAsking: true,
      maxRounds: 2,
      deps: {
        workspaceDir: () => ws.dir, harnessPath: HARNESS, apiKey: async () => undefined, workspaceState: undefined as never,
        log: (message) => host.logLines.push(message),
        // As extension.ts does: re-runs go through the Run profile.
        runScenarios: (_dir, ids) => logRun(ids ? `re-run of ${ids.join(', ')}` : 're-run of the suite', ids?.map((id) => editor.tree.scenarioItem(ws.dir, id)!)),
      },
    };
    /** Waits until the review shows the file's hunks, logs them pending, then answers them in order. */
    const review = async (answers: ('accept' | 'reject')[]) => {
      await until('the proposal in the editor', () => (proposals.has(skill) ? true : undefined));
      const hunks = proposals.hunks(skill);
      hunks.forEach((h, i) => log.push(`  hunk ${i + 1} at line ${h.oldStart + 1}: ${oneLine(h.removed)} → ${oneLine(h.added)} (pending)`));
      assert.equal(hunks.length, answers.length, 'one answer per hunk');
      for (const [i, hunk] of hunks.entries()) {
        const ref = proposals.refOf(skill, hunk);
        const ok = answers[i] === 'accept' ? await proposals.accept(skill, ref) : proposals.reject(skill, ref);
        assert.ok(ok, `${answers[i]} hunk ${i + 1}`);
      }
    };

    const handle = await startRound(session, { runId: (await latestRunId(ws.dir))!, scenarioIds: ['skewed-income'], round: 1 });
    assert.ok(handle, 'round 1 proposed a change');
    await review(['accept', 'reject']);
    const roundOne = await handle.finished;
    assert.equal(readFileSync(path.join(ws.dir, SKILL), 'utf8'), before.replace('# Data-cleaning skill', '# Data-cleaning skill (robust)'), 'the rejected hunk left its bytes as they were');
    assert.ok(roundOne.nextRound, 'still red: round 2 started by itself');
    await review(['accept']);
    const roundTwo: RoundOutcome = await roundOne.nextRound.finished;
    assert.equal(roundTwo.nextRound, undefined);

    const text = log.join('\n').replace(/\b\d{8}-\d{9}-[0-9a-f]{6}\b/g, '<run>');
    assert.equal(text, EXPECTED, `--- log ---\n${text}`);

    // Round 2's assistant is told which hunk the developer rejected, verbatim, and what the re-run failed.
    const roundTwoPrompt = server.chatRequests[2]!.body.messages[1].content as string;
    assert.ok(roundTwoPrompt.includes('-- impute_numeric: mean\n+- impute_numeric: median'), roundTwoPrompt);
    assert.match(roundTwoPrompt, /the developer rejected this/);
  } finally {
    await server.close();
    editor.dispose();
  }
});

const SCENARIO_ROWS = (skewed: 'passed' | 'failed') => [
  '  suites/answers.scenario.yaml > explains-cleaning [3:4]',
  '    passed',
  '  suites/cleaning.scenario.yaml > clean-customers [3:4]',
  '    passed',
  ...SKEWED(skewed),
  '  suites/reports.scenario.yaml > summarize-sales [3:4]',
  '    passed',
  '  suites/reports.scenario.yaml > feature-script [21:4]',
  '    passed',
];
const SKEWED = (state: 'passed' | 'failed') => [
  '  suites/cleaning.scenario.yaml > skewed-income [23:4]',
  state === 'failed' ? '    failed: **missing incomes are imputed robustly** failed @ suites/cleaning.scenario.yaml:32' : '    passed',
  '  suites/cleaning.scenario.yaml > skewed-income > file-exists [30:8]',
  '    passed',
  '  suites/cleaning.scenario.yaml > skewed-income > missing incomes are imputed robustly [32:8]',
  state === 'failed' ? '    failed: **missing incomes are imputed robustly** failed @ suites/cleaning.scenario.yaml:32' : '    passed',
];

/** What the developer sees, in order: red, two rounds of review and re-runs, green. */
const EXPECTED = [
  'info: coSTAR: 1 model-based judge(s) were skipped because no model is configured. [Select Model] [Open Settings] [Set API Key]',
  'run 1 (the developer runs the suite)',
  ...SCENARIO_ROWS('failed'),
  'progress: coSTAR: refining analyst',
  '  step 1: propose_edit',
  'info: coSTAR: 1 file(s) changed — review each hunk inline (Accept | Reject). Robust imputation.',
  'shown agents/analyst/skill.md',
  '  hunk 1 at line 1: "# Data-cleaning skill" → "# Data-cleaning skill (robust)" (pending)',
  '  hunk 2 at line 9: "- impute_numeric: mean" → "- impute_numeric: median" (pending)',
  'edited agents/analyst/skill.md (1 change, unsaved)',
  'decided agents/analyst/skill.md: accepted [0], rejected [1], written',
  'progress: coSTAR: re-running after refinement',
  '  refined scenarios: skewed-income',
  'run 2 (re-run of skewed-income)',
  ...SKEWED('failed'),
  '  whole suite (regression check)',
  'run 3 (re-run of the suite)',
  ...SCENARIO_ROWS('failed'),
  'warning: coSTAR refine: fixed: none · still failing: skewed-income · newly failing: none (4/5 passing) — starting round 2 of 2.',
  'progress: coSTAR: refining analyst (round 2)',
  '  step 1: propose_edit',
  'info: coSTAR (round 2): 1 file(s) changed — review each hunk inline (Accept | Reject). Median, because of the outliers.',
  'shown agents/analyst/skill.md',
  '  hunk 1 at line 9: "- impute_numeric: mean" → "- impute_numeric: median" (pending)',
  'edited agents/analyst/skill.md (1 change, unsaved)',
  'decided agents/analyst/skill.md: accepted [0], rejected [], written',
  'progress: coSTAR: re-running after refinement',
  '  refined scenarios: skewed-income',
  'run 4 (re-run of skewed-income)',
  ...SKEWED('passed'),
  '  whole suite (regression check)',
  'run 5 (re-run of the suite)',
  ...SCENARIO_ROWS('passed'),
  'info: coSTAR refine: fixed: skewed-income · still failing: none · newly failing: none (5/5 passing) [Show Testing]',
].join('\n');

/**
 * A run's log as the Testing view shows it, without enqueued/started: every scenario row, and
 * the judge rows of the refined scenario (the other judges are the run handler test's business).
 */
function outcomes(log: string): string[] {
  const blocks: string[][] = [];
  for (const line of log.split('\n')) {
    if (!line.startsWith('  ')) blocks.push([line]);
    else if (!/^ {2}(enqueued|started)$/.test(line)) blocks.at(-1)!.push(line);
  }
  return blocks.filter(([head]) => head!.split(' > ').length === 2 || head!.includes(' > skewed-income > ')).flat();
}

function oneLine(text: string): string {
  return JSON.stringify(text.replace(/\n$/, ''));
}

async function latestRunId(dir: string): Promise<string | undefined> {
  return (await latestRun(dir, 'run'))?.runId;
}
