/**
 * Harness overhead: (1) 100 scenarios of an agent that sleeps 1 s, at concurrency 20, against
 * the ideal 5 s; (2) one such scenario through the harness against running the agent bare.
 * Goal: ≤ 1.2× in both. Run after `npm run build`.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { startRun } from '../src/core/run/client';
import { FIXTURE_AGENTS, HARNESS, configWithFixtureAgents, tempWorkspace } from '../test/support/workspace';

const SLEEP_MS = 1000;

function scenarios(n: number): string {
  return `scenarios:\n${Array.from({ length: n }, (_, i) => `  - id: s${i}\n    prompt: sleep\n`).join('')}`;
}

async function timeRun(count: number, concurrency: number): Promise<number> {
  const ws = tempWorkspace({
    'costar.yaml': configWithFixtureAgents({ sleeper: ['sleep.mjs', String(SLEEP_MS)] }, `defaults: { concurrency: ${concurrency} }\n`),
    'many.scenario.yaml': scenarios(count),
  });
  try {
    const started = performance.now();
    const report = await startRun({ workspaceDir: ws.dir, mode: 'run' }, { harnessPath: HARNESS }).done;
    const elapsed = performance.now() - started;
    if (report.summary.passed !== count) throw new Error(`expected ${count} passes, got ${JSON.stringify(report.summary)}`);
    return elapsed;
  } finally {
    ws.dispose();
  }
}

function timeBare(): number {
  const started = performance.now();
  spawnSync(process.execPath, [path.join(FIXTURE_AGENTS, 'sleep.mjs'), String(SLEEP_MS)], { stdio: 'ignore' });
  return performance.now() - started;
}

/** The same 100 agents started bare, 20 at a time: what process start-up alone costs on this machine. */
async function timeBarePool(count: number, concurrency: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await new Promise((resolve) => spawn(process.execPath, [path.join(FIXTURE_AGENTS, 'sleep.mjs'), String(SLEEP_MS)], { stdio: 'ignore' }).on('close', resolve));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}

async function main() {
  const bare = Math.min(timeBare(), timeBare(), timeBare());
  const single = Math.min(await timeRun(1, 1), await timeRun(1, 1), await timeRun(1, 1));
  const many = await timeRun(100, 20);
  const barePool = await timeBarePool(100, 20);
  const ideal = (100 / 20) * SLEEP_MS;
  const rows = [
    ['single scenario vs bare agent', `${single.toFixed(0)} ms vs ${bare.toFixed(0)} ms`, `${(single / bare).toFixed(2)}×`, '≤ 1.2×'],
    ['100 × 1 s at concurrency 20 vs ideal 5 s', `${(many / 1000).toFixed(2)} s`, `${(many / ideal).toFixed(2)}×`, '≤ 1.2×'],
    ['… vs the same agents started bare, 20 at a time', `${(many / 1000).toFixed(2)} s vs ${(barePool / 1000).toFixed(2)} s`, `${(many / barePool).toFixed(2)}×`, ''],
  ];
  console.log('harness overhead');
  console.table(rows.map(([case_, time, ratio, goal]) => ({ case: case_, time, ratio, goal })));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
