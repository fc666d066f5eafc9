/**
 * The process-tree runner against agents that do not end cleanly: a background child that
 * holds stdout after the leader exits, grandchildren that leave the process group (setsid,
 * double fork), children that ignore SIGTERM. Real /bin/sh processes; every wait is for a
 * condition, and each test proves that no process of the tree is left.
 *
 * The first suite runs without the PID namespace (the process group and the /proc marker scan,
 * which is all there is where no namespace can be made); the second with it, where an escapee
 * without the marker is killed too. Scripts record host pids (`read -r p _ < /proc/self/stat`
 * is the shell's own entry: inside the namespace `$$` counts from 1).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runProcessTree, type ProcessTreeOptions } from '../../src/core/process/processTree';
import { pidNamespacePrefix } from '../../src/core/process/pidNamespace';
import { TREE_ID_VARIABLE } from '../../src/core/process/treeMarker';
import { isAlive, tempWorkspace } from '../support/workspace';
import { waitFor } from '../e2e/waitFor';

const ws = tempWorkspace();
after(() => ws.dispose());
let counter = 0;

/** Runs a shell script as a process tree; its processes append their pids to $PIDS. */
async function runScript(script: string, options: Partial<ProcessTreeOptions> = {}) {
  const name = `t${++counter}`;
  const file = ws.write(`${name}.sh`, script);
  const pids = path.join(ws.dir, `${name}.pids`);
  ws.write(`${name}.pids`, '');
  const controller = new AbortController();
  const result = await runProcessTree({
    argv: ['/bin/sh', file],
    cwd: ws.dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PIDS: pids },
    stdin: '',
    timeoutMs: 10 * 60_000,
    signal: controller.signal,
    outputCapBytes: 64 * 1024,
    graceMs: 300,
    pidNamespace: false,
    ...options,
  });
  const recorded = readFileSync(pids, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  return { result, recorded };
}

/** Shell lines that wait until `n` pids are recorded, so the deadline never lands before the tree is complete. */
function waitForPids(n: number): string {
  return `while [ "$(wc -l < "$PIDS")" -lt ${n} ]; do sleep 0.01; done`;
}

async function assertAllGone(pids: number[], expected: number): Promise<void> {
  assert.equal(pids.length, expected, `the script recorded ${expected} pids: ${pids.join(', ')}`);
  // SIGKILL is delivered asynchronously: wait (bounded) for the kernel to finish each process.
  await waitFor(`processes ${pids.join(', ')} to be gone`, () => pids.every((pid) => !isAlive(pid)), 10_000, 20);
}

/** Appends the calling shell's host pid to the file (or $PIDS). */
const recordPid = (file = '"$PIDS"') => `read -r p _ < /proc/self/stat; echo $p >> ${file}`;

describe('process trees', { timeout: 60_000 }, () => {
  it('a leader that exits 0 while a background child holds stdout ends at once, and the child is killed', async () => {
    const { result, recorded } = await runScript('echo started\nsleep 1000 &\necho $! >> "$PIDS"\nexit 0\n');
    assert.equal(result.exitCode, 0);
    assert.equal(result.killedBecause, undefined, 'not a timeout: the leader finished');
    assert.equal(result.stdout, 'started\n');
    assert.ok(result.sweptProcesses >= 1, 'the background child was found and swept');
    await assertAllGone(recorded, 1);
  });

  it('the deadline reaches setsid and double-forked grandchildren that ignore SIGTERM and hold stdout', async () => {
    const { result, recorded } = await runScript(
      [
        // A new session, ignoring SIGTERM, holding our stdout.
        `setsid sh -c 'trap "" TERM; echo $$ >> "$PIDS"; exec sleep 1000' &`,
        // A double fork: the subshell exits, its child is re-parented and in a session of its own.
        `( setsid sh -c 'trap "" TERM; echo $$ >> "$PIDS"; exec sleep 1000' & ) `,
        waitForPids(2),
        'echo $$ >> "$PIDS"',
        'sleep 1000',
      ].join('\n'),
      { timeoutMs: 1500 },
    );
    assert.equal(result.killedBecause, 'timeout');
    assert.ok(result.sweptProcesses >= 2, `the escaped grandchildren were found (${result.sweptProcesses})`);
    await assertAllGone(recorded, 3);
  });

  it('a child that ignores SIGTERM gets SIGKILL after the grace period, even after its leader exited on SIGTERM', async () => {
    const { result, recorded } = await runScript(
      ['( trap "" TERM; exec sleep 1000 ) &', 'echo $! >> "$PIDS"', 'echo $$ >> "$PIDS"', 'wait'].join('\n'),
      { timeoutMs: 300 },
    );
    assert.equal(result.killedBecause, 'timeout');
    assert.equal(result.signal, 'SIGTERM', 'the leader itself went on SIGTERM');
    await assertAllGone(recorded, 2);
  });

  it('an escaped child that holds no pipe is still swept when everything else ended on SIGTERM', async () => {
    const { result, recorded } = await runScript(
      [`setsid sh -c 'trap "" TERM; echo $$ >> "$PIDS"; exec sleep 1000' </dev/null >/dev/null 2>&1 &`, waitForPids(1), 'sleep 1000'].join('\n'),
      { timeoutMs: 1500 },
    );
    assert.equal(result.killedBecause, 'timeout');
    await assertAllGone(recorded, 1);
  });

  it('cancel stops the tree like the deadline does', async () => {
    const controller = new AbortController();
    const running = runScript(['sleep 1000 &', 'echo $! >> "$PIDS"', 'echo ready', 'wait'].join('\n'), {
      signal: controller.signal,
      onOutput: (_stream, text) => {
        if (text.includes('ready')) controller.abort();
      },
    });
    const { result, recorded } = await running;
    assert.equal(result.killedBecause, 'cancelled');
    await assertAllGone(recorded, 1);
  });

  it('does not wait for a pipe held by a process no sweep can find (cleared environment, own session)', async () => {
    // `env -i` drops the marker: this is the one shape that escapes (documented); the run must still end.
    const escapeeFile = path.join(ws.dir, 'escapee.pids');
    const { result, recorded } = await runScript(
      // The leader waits until the escapee runs without the marker, or the exit sweep would still find it.
      `setsid env -i /bin/sh -c 'echo $$ > "${escapeeFile}.tmp"; mv "${escapeeFile}.tmp" "${escapeeFile}"; exec sleep 1000' &\nwhile [ ! -s "${escapeeFile}" ]; do sleep 0.01; done\nexit 0\n`,
    );
    assert.equal(result.exitCode, 0);
    assert.equal(result.outputCut, true, 'the result says output may be missing');
    assert.deepEqual(recorded, []);
    const escapee = Number(readFileSync(escapeeFile, 'utf8'));
    assert.ok(isAlive(escapee));
    process.kill(escapee, 'SIGKILL');
  });

  it('marks every process of the tree in its environment', async () => {
    const { result } = await runScript(`printf '%s' "$${TREE_ID_VARIABLE}"`);
    assert.match(result.stdout, /^[0-9a-f]{16}\.\d+$/);
  });

  it('a command that cannot start is a spawn error, not a hang', async () => {
    const result = await runProcessTree({
      argv: ['/no/such/program'], cwd: ws.dir, env: {}, timeoutMs: 60_000, signal: new AbortController().signal, outputCapBytes: 1024,
    });
    assert.match(result.spawnError ?? '', /ENOENT/);
  });
});

const NAMESPACES = pidNamespacePrefix() !== null;

describe('process trees in a PID namespace of their own', { timeout: 60_000, skip: NAMESPACES ? false : 'unshare cannot make a PID namespace here (docs/processes.md)' }, () => {
  /** A grandchild that clears its environment (no marker), starts its own session and is double-forked, ignoring SIGTERM. */
  const escapee = (file: string) =>
    `( setsid env -i /bin/sh -c 'trap "" TERM; ${recordPid(`"${file}"`)}; exec sleep 1000' </dev/null >/dev/null 2>&1 & )\nwhile [ ! -s "${file}" ]; do sleep 0.01; done`;

  it('is the default here', async () => {
    const { result } = await runScript('exit 0', { pidNamespace: undefined });
    assert.equal(result.pidNamespace, true);
  });

  it('an escapee the scan cannot find (cleared environment, own session, double fork) is killed when the command exits', async () => {
    const file = path.join(ws.dir, 'ns-escapee.pids');
    const { result } = await runScript(`${escapee(file)}\necho done\nexit 0\n`, { pidNamespace: true });
    assert.deepEqual([result.exitCode, result.signal, result.killedBecause, result.stdout, result.pidNamespace], [0, null, undefined, 'done\n', true]);
    assert.equal(result.sweptProcesses, 1, 'the namespace init counted what the command left running');
    const [pid] = readFileSync(file, 'utf8').split(/\s+/).filter(Boolean).map(Number);
    await assertAllGone([pid!], 1);
  });

  it('at the deadline the command gets SIGTERM as before, and the unmarked escapee dies with the namespace', async () => {
    const file = path.join(ws.dir, 'ns-deadline.pids');
    const { result, recorded } = await runScript(`${escapee(file)}\n${recordPid()}\nsleep 1000\n`, { pidNamespace: true, timeoutMs: 1500 });
    assert.equal(result.killedBecause, 'timeout');
    assert.equal(result.signal, 'SIGTERM', 'the leader went on SIGTERM (it is not the namespace PID 1)');
    await assertAllGone([...recorded, ...readFileSync(file, 'utf8').split(/\s+/).filter(Boolean).map(Number)], 2);
  });

  it('keeps stdin, output, the exit status and a death by signal as without it', async () => {
    const echoed = await runScript('cat; echo err >&2; exit 3', { pidNamespace: true, stdin: 'the prompt' });
    assert.deepEqual([echoed.result.stdout, echoed.result.stderr, echoed.result.exitCode], ['the prompt', 'err\n', 3]);
    const crashed = await runScript('kill -SEGV $$', { pidNamespace: true });
    assert.deepEqual([crashed.result.exitCode, crashed.result.signal, crashed.result.stderr], [null, 'SIGSEGV', ''], 'no "Segmentation fault" from the init shell');
  });

  it('a command that cannot be found is the same spawn error as without it', async () => {
    const result = await runProcessTree({
      argv: ['no-such-program-here'], cwd: ws.dir, env: { PATH: '/usr/bin:/bin' }, timeoutMs: 60_000, signal: new AbortController().signal, outputCapBytes: 1024, pidNamespace: true,
    });
    assert.match(result.spawnError ?? '', /ENOENT/);
  });
});
