/**
 * Promote to scenario, drafted with a model: the model fills `setup` (files written as
 * fixtures beside the draft, env) and proposes expectations from trace excerpts. Everything it
 * proposes is checked; what fails a check is dropped with the reason, and an answer that is no
 * answer leaves the plain draft. Against the test model server (real HTTP); the end-to-end test
 * needs `npm run build` (dist/cli.js).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { createModelClientFromEnv } from '../../src/core/llm/fromEnv';
import { draftScenarioFromTrace } from '../../src/core/promote/draftScenario';
import { promoteTrace } from '../../src/core/promote/promote';
import { parseScenarioFile } from '../../src/core/scenario/load';
import { toOtlpJson } from '../../src/core/trace/otlp';
import { TraceStore } from '../../src/core/trace/store';
import { loadWorkspaceWithJudges } from '../../src/core/workspace';
import { ModelServer } from '../support/modelServer';
import { artifact, TraceBuilder } from '../support/traceBuilder';
import { CLI, copyExampleWorkspace } from '../support/workspace';

const PROMPT = 'Clean data/customers.csv and write clean.csv, then explain what you changed';
const CUSTOMERS = 'id,name,age,visits\n1, Ann ,34,2\n1, Ann ,34,2\n2,Bob,,5\n';

let server: ModelServer;
before(async () => {
  server = await ModelServer.start();
});
after(() => server.close());

/** A production trace with a lot besides the excerpts: many tool spans with large outputs. */
function productionTrace(traceId: string, answer: string) {
  const b = new TraceBuilder();
  const root = b.span({ name: 'analyst', spanType: 'AGENT', inputs: { prompt: PROMPT }, outputs: { output: answer } });
  for (let i = 0; i < 40; i++) b.span({ name: `read-${i}`, spanType: 'TOOL', parent: root, outputs: { rows: 'x,'.repeat(2000) } });
  const trace = b.build({ artifacts: [artifact('clean.csv', 'id,name\n1,Ann\n')] });
  trace.info.traceId = traceId;
  return trace;
}

const goodAnswer = {
  files: [
    { path: 'data/customers.csv', content: CUSTOMERS },
    { path: '../outside.txt', content: 'x' },
    { path: 'suites/more.scenario.yaml', content: 'scenarios: []' },
  ],
  env: [
    { name: 'ANALYST_LOCALE', value: 'en' },
    { name: 'not a name', value: 'x' },
  ],
  expectations: [
    { judge: 'file-exists', name: 'writes clean.csv', withJson: '{"paths": ["clean.csv"]}' },
    { judge: 'regex', name: 'bad pattern arg', withJson: '{"in": "output", "pattern": 42}' },
    { judge: 'no-such-judge', name: '', withJson: '{}' },
    { judge: 'command', name: '', withJson: '{"run": "rm -rf /"}' },
    { judge: 'answer-quality', name: '', withJson: 'not json' },
  ],
};

function modelClient() {
  return createModelClientFromEnv({ COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'test-model' })!;
}

test('the model fills setup and adds expectations; what fails a check is dropped with the reason; the draft validates with its fixtures', async () => {
  server.reset();
  server.reply({ json: goodAnswer });
  const ws = copyExampleWorkspace();
  try {
    const trace = productionTrace('abcdef12'.padEnd(32, '3'), 'I cleaned the file.');
    await new TraceStore(ws.dir).put(trace);
    const draft = await promoteTrace(ws.dir, trace.info.traceId, { withModel: true, model: modelClient() });

    assert.equal(draft.modelFailure, undefined);
    assert.deepEqual(draft.fixtures, { 'fixtures/promoted-abcdef12/data/customers.csv': CUSTOMERS });
    assert.deepEqual(draft.dropped.map((d) => d.split(':')[0]), [
      'file "../outside.txt"',
      'file "suites/more.scenario.yaml"',
      'env "not a name"',
      'expectation "bad pattern arg"',
      'expectation "no-such-judge"',
      'expectation "command"',
      'expectation "answer-quality"',
    ]);
    assert.match(draft.dropped.join('\n'), /leaves the sandbox/);
    assert.match(draft.dropped.join('\n'), /with\.pattern/, 'wrong check arguments say which argument');
    assert.match(draft.dropped.join('\n'), /unknown judge "no-such-judge"/);
    assert.match(draft.dropped.join('\n'), /runs code/);
    assert.match(draft.text, /^# Drafted with model test-model: 1 files, 1 env variables, 1 expectations/m);
    assert.match(draft.text, /^# {3}- file "\.\.\/outside\.txt": sandbox path "\.\.\/outside\.txt" leaves the sandbox/m, 'dropped items are listed in the draft');

    // The draft as `costar run` would load it, saved beside its fixtures.
    const { workspace, catalog } = await loadWorkspaceWithJudges(ws.dir);
    for (const [relative, content] of Object.entries(draft.fixtures)) ws.write(relative, content);
    const checked = parseScenarioFile(draft.text, draft.suggestedFile, { workspaceDir: ws.dir, config: workspace.config, knownJudges: catalog!.ids() });
    assert.deepEqual(checked.problems, []);
    const def = checked.scenarios[0]!.def;
    assert.deepEqual(def.setup, { files: { 'data/customers.csv': 'fixtures/promoted-abcdef12/data/customers.csv' }, env: { ANALYST_LOCALE: 'en' }, commands: [] });
    assert.deepEqual(def.expectations.map((e) => [e.judge, e.name, e.with]), [['file-exists', 'writes clean.csv', { paths: ['clean.csv'] }]]);
    assert.equal(def.prompt, PROMPT);
  } finally {
    ws.dispose();
  }
});

test('the model gets excerpts of the trace, not the trace', async () => {
  server.reset();
  server.reply({ json: { files: [], env: [], expectations: [] } });
  const ws = copyExampleWorkspace();
  try {
    const trace = productionTrace('feed'.padEnd(32, '4'), 'I cleaned the file.');
    await new TraceStore(ws.dir).put(trace);
    await promoteTrace(ws.dir, trace.info.traceId, { withModel: true, model: modelClient() });

    const [request] = server.chatRequests;
    const traceBytes = JSON.stringify(trace).length;
    assert.ok(traceBytes > 150_000, `the trace is large (${traceBytes} bytes)`);
    assert.ok(request!.bytes < traceBytes / 10, `the prompt (${request!.bytes} bytes) is small next to the trace (${traceBytes} bytes)`);
    const user = request!.body.messages.find((m: { role: string }) => m.role === 'user').content as string;
    assert.match(user, /Clean data\/customers\.csv and write clean\.csv/, 'the root input is there');
    assert.match(user, /"path": "clean\.csv"/, 'the artifacts are listed');
    assert.match(user, /id,name\\n1,Ann/, 'a small artifact is quoted');
    assert.doesNotMatch(user, /read-17/, 'tool spans are not sent');
    assert.equal(request!.body.response_format.type, 'json_schema');
  } finally {
    ws.dispose();
  }
});

test('an answer that is not JSON of the schema leaves the plain draft, saying why', async () => {
  server.reset();
  server.reply({ content: 'Sure! Here is your scenario: files: data.csv' });
  const ws = copyExampleWorkspace();
  try {
    const trace = productionTrace('deadbeef'.padEnd(32, '5'), 'I cleaned the file.');
    await new TraceStore(ws.dir).put(trace);
    const draft = await promoteTrace(ws.dir, trace.info.traceId, { withModel: true, model: modelClient() });

    assert.match(draft.modelFailure!, /the model gave no usable answer: .*not JSON/);
    assert.deepEqual(draft.fixtures, {});
    assert.match(draft.text, /^# Drafting with the model did not work, so this is the plain draft: the model gave no usable answer/m);
    const plain = draftScenarioFromTrace(trace, [], { agent: 'analyst' });
    assert.equal(draft.text.replace(/^# Drafting with the model.*\n/m, ''), plain, 'otherwise exactly the plain draft');
    assert.equal(server.chatRequests.length, 3, 'a malformed answer is asked again twice, then given up');
  } finally {
    ws.dispose();
  }
});

function costar(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, COSTAR_MODEL: '', COSTAR_MODEL_BASE_URL: '', OPENAI_API_KEY: '', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stdout, stderr }),
    );
  });
}

test('`costar promote --with-model --out` writes the draft and its fixtures, and the scenario runs with them', { skip: !existsSync(CLI) && 'run `npm run build` first' }, async () => {
  server.reset();
  server.reply({ json: goodAnswer });
  const ws = copyExampleWorkspace();
  try {
    const failing = productionTrace('badc0de'.padEnd(32, '6'), 'I cleaned the file.');
    ws.write('incoming/traces.json', JSON.stringify(toOtlpJson([failing])));
    ws.write('costar.monitor.yaml', 'judges:\n  - judge: regex\n    name: mentions-duplicates\n    with: { in: output, pattern: "Dropped \\\\d+ duplicate" }\n');
    assert.equal((await costar(['monitor', 'import', 'incoming'], ws.dir)).code, 0);
    assert.equal((await costar(['monitor', 'report', '--json'], ws.dir)).code, 0);

    const noModel = await costar(['promote', failing.info.traceId, '--with-model', '--out', 'x.scenario.yaml'], ws.dir);
    assert.equal(noModel.code, 2, 'no model configured is a usage error');
    assert.match(noModel.stderr, /--with-model needs a model: no model is configured: set model\.baseUrl and model\.model in costar\.yaml/);
    assert.equal(server.chatRequests.length, 0);

    const model = { COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'test-model' };
    const out = path.join('suites', 'promoted.scenario.yaml');
    const promoted = await costar(['promote', failing.info.traceId, '--with-model', '--out', out], ws.dir, model);
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.match(promoted.stdout, /wrote scenario "promoted-badc0de6" \(1 failed judges as expectations\) to .* and 1 setup files under/);
    assert.match(promoted.stderr, /warning: dropped from the model's proposal: file "\.\.\/outside\.txt"/);
    assert.match(server.chatRequests[0]!.body.messages[1].content, /Dropped \\\\d\+ duplicate/, 'the failed judge is in the excerpts');
    const fixture = path.join(ws.dir, 'suites', 'fixtures', 'promoted-badc0de6', 'data', 'customers.csv');
    assert.equal(await readFile(fixture, 'utf8'), CUSTOMERS);

    const run = await costar(['run', '--scenario', 'promoted-badc0de6', '--reporter', 'json:run.json'], ws.dir);
    assert.notEqual(run.code, 2, run.stderr);
    const [scenario] = JSON.parse(await readFile(path.join(ws.dir, 'run.json'), 'utf8')).scenarios;
    assert.equal(scenario.id, 'promoted-badc0de6');
    const verdicts = scenario.attempts[0].verdicts.map((v: { judge: string; outcome: string }) => [v.judge, v.outcome]);
    assert.deepEqual(verdicts.find(([judge]: string[]) => judge === 'file-exists'), ['file-exists', 'passed'], 'the agent found the fixture and wrote clean.csv');
  } finally {
    ws.dispose();
  }
});
