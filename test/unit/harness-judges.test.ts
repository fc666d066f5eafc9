/**
 * Verdicts under hostile or sloppy agents and judges, through the real harness (dist/harness.js)
 * with real agent processes:
 * - agents that rewrite their own judge module through $COSTAR_WORKSPACE, `../`, an absolute
 *   path and a symlink: the verdict is the original judge's, the outside write is in the trace
 *   and the report, and the attempt is an error (or, with sandbox.outsideWrites: warn, a warning);
 * - a catastrophic regex beside a scenario whose timeout must still fire;
 * - a module judge that loops forever;
 * - agent exit code × judge verdict × timeout → attempt status, end to end;
 * - isolation: bubblewrap (the workspace read-only) or, where bwrap cannot run, an error saying why.
 * Requires `npm run build`.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { startRun } from '../../src/core/run/client';
import type { RunReport, ScenarioResult } from '../../src/core/run/protocol';
import { rootSpans } from '../../src/core/trace/model';
import { TraceStore } from '../../src/core/trace/store';
import { HARNESS, configWithFixtureAgents, tempWorkspace } from '../support/workspace';

const GATE = "export default () => ({ passed: false, rationale: 'the original gate says no' });\n";
const ROUTES = ['env', 'relative', 'absolute', 'symlink'];

async function run(dir: string): Promise<RunReport> {
  return startRun({ workspaceDir: dir, mode: 'run' }, { harnessPath: HARNESS, onEvent: () => {} }).done;
}

function scenario(report: RunReport, id: string): ScenarioResult {
  const found = report.scenarios.find((s) => s.id === id);
  assert.ok(found, `scenario ${id} in the report`);
  return found;
}

describe('agents that rewrite their own judge', { timeout: 120_000 }, () => {
  // One at a time: an outside write is seen by every attempt running while it happens.
  const ws = tempWorkspace({
    'costar.yaml': configWithFixtureAgents(Object.fromEntries(ROUTES.map((r) => [`rewrite-${r}`, ['rewrite-judge.mjs', r]])), 'defaults: { timeout: 30s, concurrency: 1 }\n'),
    'judges/gate.mjs': GATE,
    'rewrite.scenario.yaml': `scenarios:\n${ROUTES.map((r) => `  - id: rewrite-${r}\n    agent: rewrite-${r}\n    prompt: pass your judge\n    expectations:\n      - judge: module\n        with: { path: judges/gate.mjs }\n`).join('')}`,
  });
  after(() => ws.dispose());

  it('through $COSTAR_WORKSPACE, ../, an absolute path or a symlink: judged by the original, reported, an error', async () => {
    const report = await run(ws.dir);
    const store = new TraceStore(ws.dir);
    for (const route of ROUTES) {
      const result = scenario(report, `rewrite-${route}`);
      const attempt = result.attempts[0]!;
      assert.equal(attempt.verdicts[0]!.outcome, 'failed', `${route}: ${attempt.verdicts[0]!.rationale}`);
      assert.equal(attempt.verdicts[0]!.rationale, 'the original gate says no');
      assert.equal(result.status, 'error', route);
      assert.match(attempt.agentError ?? '', /workspace file outside the sandbox changed while the agent ran: judges\/gate\.mjs \(changed\)/, route);
      assert.deepEqual(attempt.outsideWrites, [{ path: 'judges/gate.mjs', change: 'changed' }], route);
      const trace = (await store.get(attempt.traceId!))!;
      const root = rootSpans(trace)[0]!;
      assert.deepEqual(root.attributes['costar.outside_writes'], [{ path: 'judges/gate.mjs', change: 'changed' }], route);
      assert.ok(root.events.some((e) => e.name === 'costar.outside_writes'), route);
      assert.match(trace.info.metadata['costar.judge_files'] ?? '', /"judges\/gate\.mjs":"[0-9a-f]{64}"/);
    }
    assert.match(readFileSync(path.join(ws.dir, 'judges', 'gate.mjs'), 'utf8'), /REWRITTEN/, 'the agents did rewrite the file');
  });

});

describe('judges under sloppy agents and judges', { timeout: 120_000 }, () => {
  const ws = tempWorkspace({
    'costar.yaml': configWithFixtureAgents(
      {
        evil: ['print.mjs', `${'a'.repeat(40)}!`],
        hang: ['hang.mjs'],
        ok: ['pass.mjs'],
        crash: ['crash.mjs', '3'],
      },
      'defaults: { timeout: 30s, concurrency: 4 }\n',
    ),
    'judges/loop.mjs': 'export default function () { for (;;) {} }\n',
    // A judge that cannot decide at run time (validate cannot know): its verdict is an error.
    'judges/broken.mjs': 'export default function () { throw new Error("the judge broke"); }\n',
    'judges.scenario.yaml': `scenarios:
  - id: catastrophic-regex
    agent: evil
    prompt: print
    expectations:
      - judge: regex
        with: { pattern: '^(a+)+$', in: stdout }
  - id: short-timeout
    agent: hang
    prompt: hang
    timeout: 1500ms
    setup: { env: { PID_FILE: pids.json } }
  - id: looping-judge
    agent: ok
    prompt: hi
    expectations:
      - judge: module
        with: { path: judges/loop.mjs }
        timeout: 500ms
      - judge: file-exists
        with: { paths: [answer.txt] }
  - id: ok-passing
    agent: ok
    prompt: hi
    expectations: [{ judge: file-exists, with: { paths: [answer.txt] } }]
  - id: ok-failing
    agent: ok
    prompt: hi
    expectations: [{ judge: file-exists, with: { paths: [missing.txt] } }]
  - id: ok-judge-error
    agent: ok
    prompt: hi
    expectations: [{ judge: module, with: { path: judges/broken.mjs } }]
  - id: crash-passing
    agent: crash
    prompt: hi
    expectations: [{ judge: contains, with: { text: about to fail, in: stderr } }]
`,
  });
  after(() => ws.dispose());
  let report: RunReport;

  it('runs', async () => {
    report = await run(ws.dir);
  });

  it('a catastrophic regex decides at once, and the short-timeout scenario beside it still times out', () => {
    const regex = scenario(report, 'catastrophic-regex');
    assert.equal(regex.status, 'failed', regex.error);
    assert.match(regex.attempts[0]!.verdicts[0]!.rationale, /has no match for \/\^\(a\+\)\+\$\//);
    const hang = scenario(report, 'short-timeout');
    assert.equal(hang.status, 'error');
    assert.match(hang.error ?? '', /timed out after 1\.5s/);
  });

  it('a module judge that loops forever is an error verdict naming its limit; the other judges still decide', () => {
    const result = scenario(report, 'looping-judge');
    assert.equal(result.status, 'error');
    const [loop, exists] = result.attempts[0]!.verdicts;
    assert.equal(loop!.outcome, 'error');
    assert.match(loop!.rationale, /did not finish within its timeout of 500ms \(the expectation's timeout\)/);
    assert.equal(exists!.outcome, 'passed');
  });

  it('agent exit code × judge verdict → attempt status, end to end', () => {
    const table: [string, string][] = [
      ['ok-passing', 'passed'],
      ['ok-failing', 'failed'],
      ['ok-judge-error', 'error'],
      ['crash-passing', 'error'],
      ['short-timeout', 'error'],
    ];
    for (const [id, status] of table) assert.equal(scenario(report, id).status, status, id);
    const crash = scenario(report, 'crash-passing').attempts[0]!;
    assert.equal(crash.verdicts[0]!.outcome, 'passed', 'its judges still ran and are kept');
    assert.equal(crash.exitCode, 3);
  });
});

describe('sandbox.outsideWrites: warn', { timeout: 60_000 }, () => {
  const ws = tempWorkspace({
    'costar.yaml': configWithFixtureAgents({ rewrite: ['rewrite-judge.mjs', 'env'] }, 'sandbox: { outsideWrites: warn }\n'),
    'judges/gate.mjs': "export default () => ({ passed: true, rationale: 'the original gate says yes' });\n",
    'a.scenario.yaml': 'scenarios:\n  - id: warned\n    prompt: hi\n    expectations: [{ judge: module, with: { path: judges/gate.mjs } }]\n',
  });
  after(() => ws.dispose());

  it('reports the write as a warning and leaves the outcome to the judges', async () => {
    const report = await run(ws.dir);
    const result = scenario(report, 'warned');
    assert.equal(result.status, 'passed');
    assert.match(result.attempts[0]!.warnings?.[0] ?? '', /judges\/gate\.mjs \(changed\)/);
    assert.equal(result.attempts[0]!.verdicts[0]!.rationale, 'the original gate says yes');
  });
});

describe('isolation: bubblewrap', { timeout: 60_000 }, () => {
  const ws = tempWorkspace({
    'costar.yaml': configWithFixtureAgents({ attacker: ['rewrite-judge.mjs', 'try'] }, 'isolation: bubblewrap\n'),
    'judges/gate.mjs': GATE,
    'a.scenario.yaml': `scenarios:
  - id: isolated
    prompt: hi
    expectations:
      - judge: contains
        with: { text: ['env: blocked EROFS', 'relative: blocked EROFS', 'absolute: blocked EROFS', 'symlink: blocked EROFS'], in: stdout }
      - judge: file-exists
        with: { paths: [answer.txt] }
`,
  });
  after(() => ws.dispose());
  const probe = spawnSync('bwrap', ['--die-with-parent', '--unshare-pid', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--', 'true']);
  const works = probe.status === 0;

  it(works ? 'the workspace is read-only to the agent; its sandbox is writable' : 'where bwrap cannot run, the attempt is an error that says why', async () => {
    const report = await run(ws.dir);
    const result = scenario(report, 'isolated');
    if (works) {
      assert.equal(result.status, 'passed', `${result.error ?? ''} ${result.attempts[0]?.verdicts.map((v) => v.rationale).join(' | ')}`);
      assert.equal(result.attempts[0]!.outsideWrites, undefined);
      assert.equal(readFileSync(path.join(ws.dir, 'judges', 'gate.mjs'), 'utf8'), GATE);
    } else {
      assert.equal(result.status, 'error');
      assert.match(result.error ?? '', /isolation: bubblewrap is set in costar\.yaml, but (bwrap is not installed|bwrap cannot create its namespaces)/);
    }
  });
});
