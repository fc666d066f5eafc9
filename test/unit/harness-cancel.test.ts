/**
 * Stopping a run never leaves agents behind and never leaves a half-written file in the
 * trace store: cancel reaches the whole process tree, and a harness killed outright leaves
 * only complete traces (writes are temp file + rename).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RunFailure, startRun } from '../../src/core/run/client';
import type { HarnessEvent } from '../../src/core/run/protocol';
import { HARNESS, configWithFixtureAgents, isAlive, tempWorkspace } from '../support/workspace';

/** Resolves once `predicate` holds, checking every 20 ms; rejects after `timeoutMs`. */
async function waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('stopping a run', { timeout: 120_000 }, () => {
  const ws = tempWorkspace({
    'costar.yaml': configWithFixtureAgents({ hang: ['hang.mjs'], big: ['big-trace.mjs', '40000'] }),
    'stop.scenario.yaml': `scenarios:
  - id: hangs
    agent: hang
    prompt: wait forever
    timeout: 10m
    setup: { env: { PID_FILE: pids.json } }
  - id: big
    agent: big
    prompt: write a big trace
`,
  });
  after(() => ws.dispose());

  it('cancel kills the agent and its grandchildren, and reports the attempt as an error', async () => {
    const events: HarnessEvent[] = [];
    const handle = startRun({ workspaceDir: ws.dir, mode: 'run', scenarioIds: ['hangs'] }, { harnessPath: HARNESS, onEvent: (e) => events.push(e) });
    const pidFile = () => path.join(ws.dir, '.costar', 'sandboxes', handle.runId, 'hangs', '1', 'sandbox', 'pids.json');
    await waitFor(() => existsSync(pidFile()) && readFileSync(pidFile(), 'utf8').length > 0, 'the agent to start its grandchild');
    const pids = JSON.parse(readFileSync(pidFile(), 'utf8')) as { agent: number; grandchild: number };
    assert.ok(isAlive(pids.agent) && isAlive(pids.grandchild));

    handle.cancel();
    const report = await handle.done;
    assert.equal(report.scenarios[0]!.status, 'error');
    assert.equal(report.scenarios[0]!.error, 'cancelled');
    assert.equal(isAlive(pids.agent), false, 'agent killed');
    assert.equal(isAlive(pids.grandchild), false, 'grandchild killed');
  });

  it('a harness killed at any moment leaves only complete traces in the store', async () => {
    const tracesDir = path.join(ws.dir, '.costar', 'traces');
    let killed = 0;
    // Kill at increasing delays after the agent exits, so some kills land while the big trace is written.
    for (const delayMs of [0, 40, 80, 120, 160, 240, 320]) {
      let agentPid = 0;
      let harnessPid = 0;
      const handle = startRun(
        { workspaceDir: ws.dir, mode: 'run', scenarioIds: ['big'] },
        {
          harnessPath: HARNESS,
          onEvent: (e) => {
            if (e.type === 'hello') harnessPid = e.pid;
            if (e.type === 'attemptStarted' && e.pid) agentPid = e.pid;
          },
        },
      );
      await waitFor(() => agentPid !== 0, 'the agent to start');
      await waitFor(() => !isAlive(agentPid), 'the agent to exit');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (isAlive(harnessPid)) process.kill(harnessPid, 'SIGKILL');
      await handle.done.catch((error: unknown) => {
        assert.ok(error instanceof RunFailure);
        killed++;
      });
    }
    const stored = existsSync(tracesDir) ? readdirSync(tracesDir).filter((f) => f.endsWith('.trace.json') && !f.startsWith('.')) : [];
    assert.ok(killed > 0, 'some kills landed before the run finished');
    let complete = 0;
    for (const file of stored) {
      const json = JSON.parse(readFileSync(path.join(tracesDir, file), 'utf8')) as { info: { trace_metadata: Record<string, string> }; data: { spans: unknown[] } };
      if (json.info.trace_metadata['costar.scenario_id'] !== 'big') continue;
      assert.equal(json.data.spans.length, 40_001, `${file} is complete`);
      complete++;
    }
    // Not every kill is in time to prevent the write: what was written is whole.
    assert.ok(complete + killed >= 7);
  });
});
