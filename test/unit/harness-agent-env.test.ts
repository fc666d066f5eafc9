/**
 * What an agent process receives: a documented allow-list of the caller's environment plus what
 * costar.yaml and the scenario name (passEnv / env), never the model key or other secrets of the
 * harness; and its prompt on stdin, in COSTAR_PROMPT_FILE and — when small — in COSTAR_PROMPT.
 * Requires `npm run build` (the harness runs from dist/harness.js).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { startRun } from '../../src/core/run/client';
import type { RunReport } from '../../src/core/run/protocol';
import { HARNESS, configWithFixtureAgents, tempWorkspace, type TempWorkspace } from '../support/workspace';

const BIG = 'p'.repeat(300 * 1024);

interface Seen {
  env: Record<string, string>;
  stdinLength: number;
  stdinMatchesFile: boolean;
  promptFileLength: number | null;
}

describe('the agent environment', { timeout: 120_000 }, () => {
  let ws: TempWorkspace;
  let report: RunReport;
  const seen = (id: string): Seen => {
    const scenario = report.scenarios.find((s) => s.id === id)!;
    assert.equal(scenario.status, 'passed', JSON.stringify(scenario));
    const runDir = path.join(ws.dir, '.costar', 'sandboxes', report.runId, id, '1', 'sandbox');
    return JSON.parse(readFileSync(path.join(runDir, 'env.json'), 'utf8')) as Seen;
  };

  before(async () => {
    ws = tempWorkspace({
      'costar.yaml': configWithFixtureAgents({ env: ['env.mjs'] }).replace(
        /(command: .*)\n/,
        '$1\n    passEnv: [AGENT_WANTS_THIS, MYAPP_*]\n    env: { FROM_CONFIG: yes }\n',
      ),
      's.scenario.yaml': `scenarios:
  - id: small
    prompt: a small prompt
    setup: { passEnv: [SCENARIO_WANTS_THIS], env: { FROM_SCENARIO: "1" } }
  - id: big
    prompt: ${BIG}
`,
    });
    const env = {
      ...process.env,
      OPENAI_API_KEY: 'sk-secret-model-key',
      GITHUB_TOKEN: 'ghp-secret',
      AWS_SECRET_ACCESS_KEY: 'aws-secret',
      AGENT_WANTS_THIS: 'a',
      MYAPP_ONE: 'm1',
      SCENARIO_WANTS_THIS: 's',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://example.invalid',
      LANG: 'C.UTF-8',
      TZ: 'Europe/Paris',
    };
    report = await startRun({ workspaceDir: ws.dir, mode: 'run' }, { harnessPath: HARNESS, env }).done;
  });
  after(() => ws.dispose());

  it('passes the basic variables and what costar.yaml and the scenario name, nothing else of the caller', () => {
    const { env } = seen('small');
    assert.equal(env.PATH, process.env.PATH);
    assert.equal(env.LANG, 'C.UTF-8');
    assert.equal(env.TZ, 'Europe/Paris');
    assert.equal(env.AGENT_WANTS_THIS, 'a');
    assert.equal(env.MYAPP_ONE, 'm1');
    assert.equal(env.SCENARIO_WANTS_THIS, 's');
    assert.equal(env.FROM_CONFIG, 'yes');
    assert.equal(env.FROM_SCENARIO, '1');
    for (const secret of ['OPENAI_API_KEY', 'GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'ELECTRON_RUN_AS_NODE']) assert.equal(env[secret], undefined, secret);
    assert.ok(!JSON.stringify(env).includes('secret'), 'no secret value under any name');
    // The harness's own receiver, not the caller's collector (which does not leak through the base variable either).
    assert.match(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT!, /^http:\/\/127\.0\.0\.1:\d+/);
    assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, undefined);
    const other = seen('big').env;
    assert.equal(other.SCENARIO_WANTS_THIS, undefined, "one scenario's passEnv is not another's");
  });

  it('a small prompt is in COSTAR_PROMPT, the prompt file and stdin', () => {
    const s = seen('small');
    assert.equal(s.env.COSTAR_PROMPT, 'a small prompt');
    assert.equal(s.promptFileLength, 'a small prompt'.length);
    assert.ok(s.stdinMatchesFile);
  });

  it('a 300 KiB prompt starts the agent (no E2BIG): stdin and COSTAR_PROMPT_FILE, no COSTAR_PROMPT', () => {
    const s = seen('big');
    assert.equal(s.env.COSTAR_PROMPT, undefined);
    assert.equal(s.promptFileLength, BIG.length);
    assert.equal(s.stdinLength, BIG.length);
    assert.ok(s.stdinMatchesFile);
  });
});
