/**
 * The harness owns every process an attempt starts, whatever the agent does and whatever
 * happens to the harness: a timed-out attempt is an error within timeout + grace with no
 * process left; CLI and harness SIGKILLed together leave no agent behind (the guardian sweeps
 * them); a flood of spans past the cap is dropped, counted and reported.
 * Real processes throughout; requires `npm run build` (dist/harness.js, dist/cli.js).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { startRun } from '../../src/core/run/client';
import { TraceStore } from '../../src/core/trace/store';
import { DEFAULT_GRACE_MS } from '../../src/core/process/processTree';
import { TREE_ID_VARIABLE } from '../../src/core/process/treeMarker';
import { CLI, HARNESS, isAlive, tempWorkspace } from '../support/workspace';
import { waitFor } from '../e2e/waitFor';

/** Live processes whose environment holds `entry` (VAR=value) and the tree marker. */
function processesWith(entry: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const vars = readFileSync(`/proc/${name}/environ`, 'latin1').split('\0');
      if (vars.includes(entry) && vars.some((v) => v.startsWith(`${TREE_ID_VARIABLE}=`)) && isAlive(Number(name))) found.push(Number(name));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

const tag = `costar-test-${randomBytes(6).toString('hex')}`;
const TAG = `TEST_TAG=${tag}`;

/** An agent that leaves the group twice (setsid, double fork), ignores SIGTERM everywhere, holds stdout, then hangs. */
// Each shell records its pid as the machine sees it (/proc/self/stat, read by the shell itself):
// in the attempt's PID namespace $$ counts from 1.
const ESCAPING_AGENT = `
setsid sh -c 'trap "" TERM; read -r p _ < /proc/self/stat; echo $p >> "$PIDS"; exec sleep 1000' &
( setsid sh -c 'trap "" TERM; read -r p _ < /proc/self/stat; echo $p >> "$PIDS"; exec sleep 1000' & )
trap "" TERM
read -r p _ < /proc/self/stat; echo $p >> "$PIDS"
while [ "$(wc -l < "$PIDS")" -lt 3 ]; do sleep 0.01; done
echo ready
sleep 1000
`;

/** Sends FLOOD_BATCHES OTLP/JSON requests of 200 spans each, then exits 0. */
const FLOOD_AGENT = `
const url = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
const [name, value] = process.env.OTEL_EXPORTER_OTLP_HEADERS.split('=');
const traceId = 'ab'.repeat(16);
let n = 0;
const batch = () => ({ resourceSpans: [{ scopeSpans: [{ spans: Array.from({ length: 200 }, () => {
  n++;
  return { traceId, spanId: n.toString(16).padStart(16, '0'), name: 'span ' + n, startTimeUnixNano: '1000', endTimeUnixNano: '2000', attributes: [{ key: 'pad', value: { stringValue: 'x'.repeat(200) } }] };
}) }] }] });
(async () => {
  for (let i = 0; i < Number(process.env.FLOOD_BATCHES); i++) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [name]: value }, body: JSON.stringify(batch()) });
    if (res.status !== 200) throw new Error('status ' + res.status);
  }
})();
`;

const ws = tempWorkspace({
  'escape.sh': ESCAPING_AGENT,
  'flood.js': FLOOD_AGENT,
  'costar.yaml': `agents:
  escaping: { command: [/bin/sh, escape.sh], passEnv: [TEST_TAG] }
  flood: { command: [${JSON.stringify(process.execPath)}, flood.js] }
defaults: { maxSpanMiB: 0.25 }
`,
});
ws.write(
  'p.scenario.yaml',
  `scenarios:
  - id: times-out
    agent: escaping
    prompt: go
    timeout: 4s
    setup: { env: { PIDS: ${JSON.stringify(path.join(ws.dir, 'timeout.pids'))} } }
  - id: orphaned
    agent: escaping
    prompt: go
    timeout: 10m
    setup: { env: { PIDS: ${JSON.stringify(path.join(ws.dir, 'orphan.pids'))} } }
  - id: flood
    agent: flood
    prompt: go
    setup: { env: { FLOOD_BATCHES: "20" } }
`,
);
ws.write('timeout.pids', '');
ws.write('orphan.pids', '');
after(() => ws.dispose());

describe('the harness owns every process of an attempt', { timeout: 120_000 }, () => {
  it('a timed-out attempt is an error within timeout + grace, and none of its processes is left', async () => {
    process.env.TEST_TAG = tag;
    const handle = startRun({ workspaceDir: ws.dir, mode: 'run', scenarioIds: ['times-out'] }, { harnessPath: HARNESS });
    const report = await handle.done;
    const attempt = report.scenarios[0]!.attempts[0]!;
    assert.equal(attempt.status, 'error');
    assert.match(attempt.error ?? '', /timed out after 4(\.0)? ?s/);
    // The documented bound is timeout + grace (+ 1 s for the pipes); the slack only absorbs a
    // loaded machine — the failure this guards against is an attempt that waits 1000 s.
    // The timeout leaves the agent time to start its three processes (they record their pids
    // before it prints "ready") even on a loaded machine, so the test counts processes that ran.
    assert.ok(attempt.durationMs < 4000 + DEFAULT_GRACE_MS + 1000 + 5000, `took ${attempt.durationMs} ms`);
    assert.match((attempt.warnings ?? []).join('\n'), /still running when it was stopped; they were killed/);
    const trace = (await new TraceStore(ws.dir).get(attempt.traceId!))!;
    assert.ok(Number(trace.spans[0]!.attributes['costar.processes_swept']) >= 2, 'the root span counts the swept processes');
    const pids = readFileSync(path.join(ws.dir, 'timeout.pids'), 'utf8').split(/\s+/).filter(Boolean).map(Number);
    assert.equal(pids.length, 3);
    await waitFor('every process of the attempt to be gone', () => pids.every((pid) => !isAlive(pid)), 10_000, 20);
    assert.deepEqual(processesWith(TAG), []);
  });

  it('SIGKILL of the CLI and the harness together leaves no agent process (the guardian sweeps them)', async () => {
    const cli = spawn(process.execPath, [CLI, 'run', '--workspace', ws.dir, '--scenario', 'orphaned'], {
      env: { ...process.env, TEST_TAG: tag },
      stdio: 'ignore',
    });
    const pidsFile = path.join(ws.dir, 'orphan.pids');
    await waitFor('the agent and its escaped grandchildren', () => readFileSync(pidsFile, 'utf8').split(/\s+/).filter(Boolean).length >= 3, 30_000, 20);
    const harness = childrenOf(cli.pid!).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('harness.js'));
    assert.ok(harness, 'found the harness under the CLI');
    const agents = processesWith(TAG);
    assert.ok(agents.length >= 3, `the agent's processes carry the marker: ${agents.join(', ')}`);
    process.kill(cli.pid!, 'SIGKILL');
    process.kill(harness, 'SIGKILL');
    await waitFor('no process of the killed run to be left', () => processesWith(TAG).length === 0, 15_000, 50);
  });

  it('spans past the per-attempt cap are dropped and counted; the attempt keeps what fit and says so', async () => {
    const report = await startRun({ workspaceDir: ws.dir, mode: 'run', scenarioIds: ['flood'] }, { harnessPath: HARNESS }).done;
    const attempt = report.scenarios[0]!.attempts[0]!;
    assert.equal(attempt.status, 'passed', `a flood is not an agent failure: ${attempt.error ?? ''}`);
    assert.match((attempt.warnings ?? []).join('\n'), /the agent sent \d+ more spans .* after the 256 KiB per-attempt span cap; they were dropped/);
    const trace = (await new TraceStore(ws.dir).get(attempt.traceId!))!;
    const root = trace.spans[0]!;
    const kept = trace.spans.length - 1;
    const dropped = Number(root.attributes['costar.spans_dropped']);
    assert.equal(kept + dropped, 20 * 200, 'every span is either kept or counted as dropped');
    assert.ok(kept > 0 && kept % 200 === 0, `whole batches kept: ${kept}`);
  });
});

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}
