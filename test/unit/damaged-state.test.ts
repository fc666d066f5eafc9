/**
 * Damaged state never blocks a command: one corrupt trace beside good ones, one corrupt newest
 * report beside good ones. Every reader skips the damaged file with a warning that names it and
 * goes on — `label`, the labeling panel, the dashboard, monitoring, `run`, `rescore`, `diff`.
 * The CLI parts require `npm run build`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { labelCommand } from '../../src/cli/commands/label';
import { LabelingController } from '../../src/extension/labeling/controller';
import { loadDashboardState } from '../../src/extension/dashboard/dashboardData';
import { parseMonitorConfig } from '../../src/core/monitor/config';
import { PRODUCTION_META } from '../../src/core/monitor/importProduction';
import { ScoreStore } from '../../src/core/monitor/scoreStore';
import { scoreProduction } from '../../src/core/monitor/scoreProduction';
import { listRunIds, reportPath } from '../../src/core/run/runStore';
import { TraceStore } from '../../src/core/trace/store';
import { goldenFixture, saveQualityReport, type GoldenFixture } from '../fixtures/golden/goldenWorkspace';
import { CLI, configWithFixtureAgents, tempWorkspace, type TempWorkspace } from '../support/workspace';
import { TraceBuilder } from '../support/traceBuilder';
import { runCommandInProcess } from '../support/cliInProcess';

const BAD_TRACE = 'f'.repeat(32);
const CORRUPTIONS: Record<string, string> = {
  truncated: '{"info": {"trace_id": "tr-ffff", "request_time": "2025-01-0',
  empty: '',
  'not a trace': '{"hello": "world"}',
  binary: '\u0000\u0001\u0002\uFFFD',
};

function damageTrace(dir: string, text: string): string {
  const file = path.join(dir, '.costar', 'traces', `${BAD_TRACE}.trace.json`);
  writeFileSync(file, text);
  return file;
}

function runCli(fixture: GoldenFixture, args: string[]) {
  return runCommandInProcess(labelCommand, args, fixture.ws.dir);
}

describe('a corrupt trace beside good ones', () => {
  let fixture: GoldenFixture;
  before(async () => {
    fixture = await goldenFixture({ good: 2, terse: 1, vague: 0 }, { label: false });
  });
  after(() => fixture.ws.dispose());

  for (const [kind, text] of Object.entries(CORRUPTIONS)) {
    it(`costar label lists the good traces and warns about the ${kind} one by name`, async () => {
      const file = damageTrace(fixture.ws.dir, text);
      const result = await runCli(fixture, ['quality', '--json']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(JSON.parse(result.stdout).length, 3);
      assert.ok(result.stderr.includes(`warning: skipped ${file}: `), result.stderr);
    });
  }

  it('a trace file that is a symlink to /dev/zero is skipped, not read forever', async () => {
    const file = path.join(fixture.ws.dir, '.costar', 'traces', `${'e'.repeat(32)}.trace.json`);
    symlinkSync('/dev/zero', file);
    try {
      const skipped: { file: string; reason: string }[] = [];
      const infos = await new TraceStore(fixture.ws.dir).list(skipped);
      assert.equal(infos.length, 3);
      assert.ok(skipped.some((s) => s.file === file && /not a regular file/.test(s.reason)), JSON.stringify(skipped));
    } finally {
      (await import('node:fs')).rmSync(file);
    }
  });

  it('the labeling panel queues the good traces and shows a warning naming the bad file', async () => {
    const file = damageTrace(fixture.ws.dir, CORRUPTIONS.truncated!);
    const state = await new LabelingController({ workspaceDir: fixture.ws.dir, labeller: 'ana' }).state('quality');
    assert.equal(state.items.length, 3);
    assert.equal(state.warnings?.length, 1);
    assert.ok(state.warnings![0]!.startsWith(`skipped ${file}: `), state.warnings![0]);
  });

  it('the dashboard draws the good runs and lists a corrupt report as a warning', async () => {
    await saveQualityReport(fixture, () => 'yes', '20250101-000000000-aaaaaa');
    const badRun = '20250103-000000000-cccccc';
    mkdirSync(path.dirname(reportPath(fixture.ws.dir, badRun)), { recursive: true });
    writeFileSync(reportPath(fixture.ws.dir, badRun), '{"runId": "20250103-0');
    const state = await loadDashboardState(fixture.ws.dir);
    const runs = state.sections.find((s) => s.id === 'runs')!;
    assert.equal(runs.empty, undefined);
    assert.equal(runs.charts[0]!.series[0]!.points.length, 1, 'the good run is drawn');
    assert.ok(state.warnings?.some((w) => w.startsWith(`skipped ${reportPath(fixture.ws.dir, badRun)}: not JSON`)), JSON.stringify(state.warnings));
  });
});

describe('monitoring with a corrupt production trace', () => {
  it('scores the good traces and reports the bad one', async () => {
    const ws = tempWorkspace({ 'judges/ok.judge.yaml': 'id: ok\nkind: check\ncheck: regex\nwith: { pattern: "^OK" }\n' });
    try {
      const store = new TraceStore(ws.dir);
      for (let i = 1; i <= 2; i++) {
        const b = new TraceBuilder();
        b.span({ name: 'chat', spanType: 'AGENT', inputs: { q: i }, outputs: 'OK fine' });
        const trace = b.build({ metadata: { [PRODUCTION_META]: 'true' } });
        trace.info.traceId = `${i}`.repeat(32);
        await store.put(trace);
      }
      const file = damageTrace(ws.dir, '{"info": {');
      const config = parseMonitorConfig('minSamples: 1\njudges:\n  - judge: ok\n', path.join(ws.dir, 'costar.monitor.yaml'));
      const result = await scoreProduction(store, new ScoreStore(ws.dir), config, async () => ({ outcome: 'passed', value: true, rationale: 'ok' }));
      assert.equal(result.scoredTraces, 2);
      assert.deepEqual(result.skipped.map((s) => s.file), [file]);
    } finally {
      ws.dispose();
    }
  });
});

describe('a corrupt newest report beside good ones (CLI)', { timeout: 180_000 }, () => {
  let ws: TempWorkspace;
  const costar = (args: string[]) => {
    const result = spawnSync(process.execPath, [CLI, ...args, '--workspace', ws.dir], { encoding: 'utf8', timeout: 60_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  let corrupt: string;
  before(() => {
    ws = tempWorkspace({
      'costar.yaml': configWithFixtureAgents({ pass: ['pass.mjs'] }),
      's.scenario.yaml': 'scenarios:\n  - id: one\n    prompt: hi\n    expectations: [{ judge: file-exists, with: { paths: [answer.txt] } }]\n',
    });
  });
  after(() => ws.dispose());

  it('run: warns about the damaged report, runs, exits 0, no stack trace', async () => {
    assert.equal(costar(['run']).code, 0);
    assert.equal(costar(['run']).code, 0);
    const ids = await listRunIds(ws.dir);
    corrupt = reportPath(ws.dir, ids.at(-1)!);
    writeFileSync(corrupt, '{"runId": "x", "scenarios": [');
    const result = costar(['run', '--reporter', 'json']);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stderr.includes(`warn: skipped ${corrupt}: not JSON`), result.stderr);
    assert.equal(JSON.parse(result.stdout).summary.passed, 1);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('rescore: the newest readable run is re-scored, with the warning', async () => {
    // Make the corrupt one the newest again.
    const newer = corrupt.replace(/runs\/[^/]+\//, 'runs/99999999-999999999-ffffff/');
    mkdirSync(path.dirname(newer), { recursive: true });
    writeFileSync(newer, '');
    const result = costar(['rescore']);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stdout.includes(`warn: skipped ${newer}: not JSON`) || result.stderr.includes(`skipped ${newer}`), result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /);
  });

  it('diff: compares the readable runs and names the damaged ones', () => {
    const result = costar(['diff']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning: skipped .*99999999-999999999-ffffff\/report\.json: not JSON/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('diff naming a damaged run: exit 2 with the file and why', () => {
    const result = costar(['diff', path.basename(path.dirname(corrupt)), '99999999-999999999-ffffff']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /cannot read .*report\.json: not JSON/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});
