/**
 * Promote to scenario: a failing production trace becomes a scenario draft that validates
 * like any scenario file and runs with `costar run`. The end-to-end test goes the way a user
 * does, on a copy of the example workspace: import → monitor report (a judge fails) →
 * `costar promote --out` → `costar run --scenario`. Needs `npm run build` (dist/cli.js).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parse } from 'yaml';
import { draftScenarioFromTrace } from '../../src/core/promote/draftScenario';
import { loadWorkspaceWithJudges } from '../../src/core/workspace';
import { parseScenarioFile } from '../../src/core/scenario/load';
import { toOtlpJson } from '../../src/core/trace/otlp';
import { CLI, copyExampleWorkspace } from '../support/workspace';
import { artifact, TraceBuilder } from '../support/traceBuilder';

const PROMPT = 'Clean data/customers.csv and write clean.csv, then explain what you changed';

function productionTrace(traceId: string, answer: string) {
  const b = new TraceBuilder();
  b.span({ name: 'analyst', spanType: 'AGENT', inputs: { prompt: PROMPT }, outputs: { output: answer } });
  const trace = b.build({ artifacts: [artifact('clean.csv', 'id,name\n1,Ann\n')] });
  trace.info.traceId = traceId;
  return trace;
}

function costar(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, COSTAR_MODEL: '', COSTAR_MODEL_BASE_URL: '', OPENAI_API_KEY: '' } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stdout, stderr }),
    );
  });
}

test('the draft takes the prompt from the root input and the failed judges as expectations, and validates', async () => {
  const ws = copyExampleWorkspace();
  try {
    const trace = productionTrace('c0ffee'.padEnd(32, '0'), 'I cleaned it.');
    const hostile = 'no match\n</script><script>alert(1)</script>\nscenarios: []';
    const text = draftScenarioFromTrace(trace, [
      { judge: 'regex', name: 'mentions the duplicates', with: { in: 'output', pattern: 'Dropped \\d+ duplicate' }, rationale: hostile },
      { judge: 'regex', name: 'same judge again', with: { in: 'output', pattern: 'Dropped \\d+ duplicate' } },
      { judge: 'answer-quality', rationale: 'unclear' },
    ], { agent: 'analyst' });

    const { workspace, catalog } = await loadWorkspaceWithJudges(ws.dir);
    const file = path.join(ws.dir, 'suites', 'promoted.scenario.yaml');
    const checked = parseScenarioFile(text, file, { workspaceDir: ws.dir, config: workspace.config, knownJudges: catalog!.ids() });
    assert.deepEqual(checked.problems, []);
    const [scenario] = checked.scenarios;
    assert.equal(scenario!.def.id, 'promoted-c0ffee00');
    assert.equal(scenario!.def.prompt, PROMPT);
    assert.deepEqual(scenario!.def.expectations.map((e) => [e.judge, e.name, e.with]), [
      ['regex', 'mentions the duplicates', { in: 'output', pattern: 'Dropped \\d+ duplicate' }],
      ['answer-quality', undefined, {}],
    ], 'one expectation per distinct judge and arguments');
    assert.deepEqual(scenario!.def.setup, { files: {}, env: {}, commands: [] });

    assert.match(text, /^# Draft scenario promoted from trace c0ffee0{26}$/m, 'the source trace is linked');
    assert.match(text, /# TODO: what the agent had in production.*\n.*\n.*created or changed: clean\.csv\n\s+setup:/, 'setup is left for the user, with a hint');
    assert.match(text, /^# {3}- mentions the duplicates: no match <\/script><script>alert\(1\)<\/script> scenarios: \[\]$/m, 'a rationale stays on one comment line');
    assert.deepEqual(Object.keys(parse(text)), ['scenarios'], 'nothing from the trace became YAML structure');
  } finally {
    ws.dispose();
  }
});

test('a failing production trace promoted with `costar promote --out` runs with `costar run`', { skip: !existsSync(CLI) && 'run `npm run build` first' }, async () => {
  const ws = copyExampleWorkspace();
  try {
    const failing = productionTrace('badc0de'.padEnd(32, '1'), 'I cleaned the file.');
    const passing = productionTrace('900d'.padEnd(32, '2'), 'Dropped 2 duplicate rows.');
    ws.write('incoming/traces.json', JSON.stringify(toOtlpJson([failing, passing])));
    ws.write('costar.monitor.yaml', 'judges:\n  - judge: regex\n    name: mentions-duplicates\n    with: { in: output, pattern: "Dropped \\\\d+ duplicate" }\n');
    assert.equal((await costar(['monitor', 'import', 'incoming'], ws.dir)).code, 0);
    const report = await costar(['monitor', 'report', '--json'], ws.dir);
    assert.equal(report.code, 0, report.stderr);

    const out = path.join('suites', 'promoted.scenario.yaml');
    const promoted = await costar(['promote', failing.info.traceId, '--out', out], ws.dir);
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.match(promoted.stdout, /wrote scenario "promoted-badc0de1" \(1 failed judges as expectations\)/);
    const draft = await readFile(path.join(ws.dir, out), 'utf8');
    assert.match(draft, /judge: regex\n\s+name: mentions-duplicates\n\s+with:\n\s+in: output\n\s+pattern: Dropped \\d\+ duplicate/);

    const again = await costar(['promote', failing.info.traceId, '--out', out], ws.dir);
    assert.equal(again.code, 2, 'an existing file is never overwritten');
    assert.match(again.stderr, /already exists/);

    const run = await costar(['run', '--scenario', 'promoted-badc0de1', '--reporter', 'json:run.json'], ws.dir);
    // Exit 2 would be a scenario that does not load; 0, 1 or 3 is whatever the agent made of it.
    assert.notEqual(run.code, 2, run.stderr);
    const result = JSON.parse(await readFile(path.join(ws.dir, 'run.json'), 'utf8'));
    assert.deepEqual(result.scenarios.map((s: { id: string }) => s.id), ['promoted-badc0de1']);
    const [scenario] = result.scenarios;
    assert.match(scenario.traceId, /^[0-9a-f]{32}$/, 'the agent ran and was traced');
    const trace = JSON.parse((await costar(['trace', 'show', scenario.traceId, '--format', 'mlflow'], ws.dir)).stdout);
    assert.match(JSON.stringify(trace), new RegExp(PROMPT), 'the agent got the production prompt');
  } finally {
    ws.dispose();
  }
});

test('promote refuses a trace that is not stored, naming where it looked', { skip: !existsSync(CLI) && 'run `npm run build` first' }, async () => {
  const ws = copyExampleWorkspace();
  try {
    const result = await costar(['promote', 'f'.repeat(32)], ws.dir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no trace f{32} in .*\.costar\/traces/);
  } finally {
    ws.dispose();
  }
});
