/**
 * Agents are non-deterministic: a scenario may run N times with a pass rule, and the report
 * says how it fared — pass@k, pass^k, per-judge pass rates with Wilson intervals — plus the
 * operational metrics of each run and their ×2 changes since the previous run.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { startRun } from '../../src/core/run/client';
import { HARNESS, tempWorkspace } from '../support/workspace';

/** An agent that writes out.txt on the attempts listed in PASSING (by COSTAR_ATTEMPT), and makes `TOOLS` tool spans. */
const AGENT = `
const fs = require('node:fs');
const attempt = Number(process.env.COSTAR_ATTEMPT);
if (process.env.PASSING.split(',').map(Number).includes(attempt)) fs.writeFileSync('out.txt', 'ok');
const now = BigInt(Date.now()) * 1000000n;
const spans = Array.from({ length: Number(process.env.TOOLS) }, (_, i) => ({
  trace_id: 'tr-' + '1'.repeat(32), span_id: (i + 1).toString(16).padStart(16, '0'), parent_span_id: null, name: 'tool ' + i,
  start_time_unix_nano: String(now), end_time_unix_nano: String(now + 1000n), status: { code: 'STATUS_CODE_OK' },
  attributes: { 'mlflow.spanType': '"TOOL"' }, events: [],
}));
fs.writeFileSync(process.env.COSTAR_TRACE_FILE, JSON.stringify({ info: { trace_id: 'tr-' + '1'.repeat(32), request_time: new Date().toISOString(), state: 'OK' }, data: { spans } }));
`;

describe('repeated scenarios and operational metrics', { timeout: 60_000 }, () => {
  const ws = tempWorkspace({ 'agent.js': AGENT });
  const configure = (passing: string, tools: number) =>
    writeFileSync(
      path.join(ws.dir, 'costar.yaml'),
      `agents:\n  a:\n    command: [${JSON.stringify(process.execPath)}, agent.js]\n    env: { PASSING: "${passing}", TOOLS: "${tools}" }\n`,
    );
  ws.write(
    'r.scenario.yaml',
    'scenarios:\n  - id: flaky\n    prompt: go\n    repeat: 4\n    pass: { at_least: 3 }\n    expectations:\n      - judge: file-exists\n        with: { paths: [out.txt] }\n',
  );
  after(() => ws.dispose());
  const run = () => startRun({ workspaceDir: ws.dir, mode: 'run', concurrency: 2 }, { harnessPath: HARNESS }).done;

  it('applies the pass rule and reports pass@k, pass^k and the judge pass rate with its interval', async () => {
    configure('1,2,4', 2);
    const [scenario] = (await run()).scenarios;
    assert.equal(scenario!.status, 'passed', '3 of 4 attempts meet at_least: 3');
    assert.equal(scenario!.attempts.length, 4);
    const repeat = scenario!.repeat!;
    assert.equal(repeat.passed, 3);
    assert.deepEqual(repeat.passAtK, { '1': 0.75, '4': 1 });
    assert.deepEqual(repeat.passHatK, { '1': 0.75, '4': 0 });
    const judge = repeat.judges[0]!;
    assert.equal(judge.judge, 'file-exists');
    assert.equal(`${judge.passed}/${judge.counted}`, '3/4');
    assert.ok(judge.low > 0.3 && judge.low < 0.31 && judge.high > 0.95 && judge.high < 0.96, `Wilson 95% interval of 3/4: ${judge.low}–${judge.high}`);
  });

  it('fails when too few attempts pass', async () => {
    configure('1,3', 2);
    assert.equal((await run()).scenarios[0]!.status, 'failed');
  });

  it('records tool-call metrics and flags a ×2 change since the previous run, without gating', async () => {
    configure('1,2,3,4', 2);
    const before = (await run()).scenarios[0]!;
    assert.equal(before.metrics!.toolCalls, 2);
    // Wall-clock latency doubles whenever the machine is busy: only the deterministic metrics are asserted.
    const deterministic = (flags: typeof before.metricFlags) => (flags ?? []).filter((f) => f.metric !== 'latencyMs');
    assert.deepEqual(deterministic(before.metricFlags), [], 'same tool calls as the previous run');
    configure('1,2,3,4', 5);
    const after = (await run()).scenarios[0]!;
    assert.equal(after.status, 'passed', 'metrics never gate');
    assert.equal(after.metrics!.toolCalls, 5);
    assert.deepEqual(deterministic(after.metricFlags).map((f) => f.metric), ['toolCalls']);
    const flag = after.metricFlags!.find((f) => f.metric === 'toolCalls')!;
    assert.equal(flag.direction, 'up');
    assert.equal(flag.ratio, 2.5);
  });
});
