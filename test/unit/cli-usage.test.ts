/**
 * What the `costar` CLI tells a user and a CI job: exit codes of selections and usage errors,
 * help, colors, plurals and the "what to do next" lines of a failed scenario. The built
 * dist/cli.js runs as a real process (requires `npm run build`), on small workspaces whose
 * agents are the fixture scripts (fast), or on copies of the bundled example.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { commands } from '../../src/cli/commands/index';
import { CLI, REPO_ROOT, configWithFixtureAgents, tempWorkspace, type TempWorkspace } from '../support/workspace';

function costar(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GITHUB_WORKSPACE: '', NO_COLOR: '', FORCE_COLOR: undefined, COSTAR_MODEL: '', COSTAR_MODEL_BASE_URL: '', OPENAI_API_KEY: '', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const SCENARIOS = `scenarios:
  - id: greets
    tags: [smoke]
    agent: ok
    prompt: hello
    expectations:
      - judge: file-exists
        with: { paths: [answer.txt] }
      - judge: tone
  - id: crashes
    tags: [trouble]
    agent: crash
    prompt: hello
    expectations:
      - judge: file-exists
        with: { paths: [answer.txt] }
`;

const TONE_JUDGE = 'id: tone\nkind: llm\ninstructions: "Is {{ outputs }} polite?"\nvalue: yes/no\npass: yes\n';

function fixtureWorkspace(): TempWorkspace {
  return tempWorkspace({
    'costar.yaml': configWithFixtureAgents({ ok: ['pass.mjs'], crash: ['crash.mjs', '1'] }),
    'judges/tone.judge.yaml': TONE_JUDGE,
    'main.scenario.yaml': SCENARIOS,
  });
}

describe('costar CLI: selections, usage errors and output', { timeout: 120_000 }, () => {
  let ws: TempWorkspace;
  before(() => {
    ws = fixtureWorkspace();
  });
  after(() => ws.dispose());

  it('a selection that matches nothing exits 2 and lists what exists, for --tag, --filter and --scenario', () => {
    for (const selection of [['--tag', 'typo'], ['--filter', 'zzz'], ['--scenario', 'nope'], ['--tag', 'smoke', '--filter', 'crash']]) {
      const result = costar(['run', ...selection], ws.dir);
      assert.equal(result.code, 2, `${selection.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /scenarios: greets, crashes; tags: smoke, trouble/, selection.join(' '));
    }
    assert.match(costar(['run', '--tag', 'typo'], ws.dir).stderr, /no scenario matches tag "typo"/);
    assert.equal(costar(['rescore', '--filter', 'zzz'], ws.dir).code, 2, 'a re-score selection too');
  });

  it('a shard with no scenario of the selection is no mistake: exit 0, an empty report', () => {
    // With 40 shards, some shard holds neither of the two scenarios.
    const empty = Array.from({ length: 40 }, (_, i) => `${i + 1}/40`).find((shard) => {
      const result = costar(['run', '--shard', shard, '--reporter', 'json'], ws.dir);
      return result.code === 0 && JSON.parse(result.stdout).summary.total === 0;
    });
    assert.ok(empty, 'some shard of 40 is empty and exits 0');
  });

  it('without a costar.yaml above the current folder every command stops with exit 2 and says what to do', () => {
    const bare = mkdtempSync(path.join(os.tmpdir(), 'costar-bare-'));
    try {
      for (const args of [['run'], ['validate'], ['trace', 'show', '0'.repeat(32)], ['diff'], ['agreement']]) {
        const result = costar(args, bare);
        assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, /no costar\.yaml in .* or any folder above it: create one with `costar init`/, args.join(' '));
      }
      assert.equal(existsSync(path.join(bare, '.costar')), false, 'nothing written into a folder that is not a workspace');
      const named = costar(['validate', '--workspace', bare], ws.dir);
      assert.equal(named.code, 2);
      assert.match(named.stderr, /--workspace .*: no costar\.yaml in/);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('a malformed or unknown trace id is a usage error (exit 2), never exit 3: trace show, promote, label', () => {
    const malformed = costar(['trace', 'show', '../../etc/passwd'], ws.dir);
    assert.equal(malformed.code, 2, malformed.stderr);
    assert.match(malformed.stderr, /is not a trace id \(32 hex digits/);
    const unknown = costar(['trace', 'show', 'ab'.repeat(16)], ws.dir);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /no trace abab/);
    for (const args of [['promote', '../x'], ['label', 'tone', '--trace', '../x', '--value', 'yes']]) {
      const result = costar(args, ws.dir);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /"\.\.\/x" is not a trace id/);
    }
  });

  it('rescore of a run that is not stored is a usage error (exit 2) naming the run', () => {
    const result = costar(['rescore', '--run', 'nope'], ws.dir);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /no run "nope" in /);
  });

  it('a failed or errored scenario prints its trace id, the trace show command and the end of the agent\'s stderr; trace show prints verdicts, prompt and output', () => {
    const result = costar(['run'], ws.dir);
    assert.equal(result.code, 3, result.stderr);
    const traceId = /trace ([0-9a-f]{32}) — see it with: costar trace show \1/.exec(result.stdout)?.[1];
    assert.ok(traceId, result.stdout);
    assert.match(result.stdout, /! crashes .*\n    error: the agent exited with code 1; last lines of its stderr:\n      about to fail\n/);
    // Plurals, and the LLM judge that could not run without a model is counted.
    assert.match(result.stdout, /^Running 2 scenarios — run /m);
    assert.match(result.stdout, /1 passed, 0 failed, 1 errored, 1 judge skipped \(2 scenarios, /);

    const shown = costar(['trace', 'show', traceId!], ws.dir);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /run \S+: scenario crashes \(main\.scenario\.yaml:\d+\), attempt 1: error\n  agent: the agent exited with code 1; last lines of its stderr:\n    about to fail\nverdicts:\n  ✗ file-exists failed: /);
    assert.match(shown.stdout, /\nprompt:\n  hello\nfinal output:\n  \(empty\)\nspans:\n└─ \[AGENT\] scenario crashes/);

    const one = costar(['run', '--scenario', 'greets'], ws.dir);
    assert.match(one.stdout, /^Running 1 scenario — run /m);
    assert.match(one.stdout, /1 passed, 0 failed, 1 judge skipped \(1 scenario, /);
  });

  it('rescore prints no agent durations: no agent ran', () => {
    costar(['run', '--scenario', 'greets'], ws.dir);
    const run = costar(['run', '--scenario', 'greets'], ws.dir);
    assert.match(run.stdout, /✓ greets \(\d+(\.\d+)?m?s\) main\.scenario\.yaml:2/);
    const rescore = costar(['rescore', '--scenario', 'greets'], ws.dir);
    assert.equal(rescore.code, 0, rescore.stderr);
    assert.match(rescore.stdout, /^Re-scoring 1 scenario/m);
    assert.match(rescore.stdout, /✓ greets main\.scenario\.yaml:2\n/);
  });

  it('colors: off in a pipe, on with FORCE_COLOR, off again with NO_COLOR or FORCE_COLOR=0', () => {
    const ESC = '\u001b[';
    assert.equal(costar(['run', '--scenario', 'greets'], ws.dir).stdout.includes(ESC), false);
    assert.equal(costar(['run', '--scenario', 'greets'], ws.dir, { FORCE_COLOR: '1' }).stdout.includes(ESC), true);
    assert.equal(costar(['run', '--scenario', 'greets'], ws.dir, { FORCE_COLOR: '0' }).stdout.includes(ESC), false);
    assert.equal(costar(['run', '--scenario', 'greets'], ws.dir, { NO_COLOR: '1' }).stdout.includes(ESC), false);
  });

  it('a run records whether it was complete (every scenario, no selection): only such a run is a diff baseline', () => {
    const partial = JSON.parse(costar(['run', '--scenario', 'greets', '--reporter', 'json'], ws.dir).stdout);
    const full = JSON.parse(costar(['run', '--reporter', 'json'], ws.dir).stdout);
    const stored = (id: string) => JSON.parse(readFileSync(path.join(ws.dir, '.costar', 'runs', id, 'report.json'), 'utf8'));
    assert.equal(stored(partial.runId).complete, false);
    assert.equal(stored(full.runId).complete, true);
  });

  it('validate checks built-in checks\' arguments with their schema and reports every problem in one pass', () => {
    const broken = tempWorkspace({
      'costar.yaml': configWithFixtureAgents({ ok: ['pass.mjs'] }),
      'a.scenario.yaml':
        'scenarios:\n  - id: a\n    prompt: hi\n    timeout: soon\n    expectations:\n      - judge: contains\n        with:\n          txt: hello\n' +
        '  - id: b\n    prompt: hi\n    expectations:\n      - judge: regex\n        with: { pattern: a, flags: zz }\n      - judge: file-exists\n',
    });
    try {
      const result = costar(['validate'], broken.dir);
      assert.equal(result.code, 2, result.stderr);
      const lines = result.stderr.trim().split('\n');
      assert.deepEqual(lines.filter((l) => l.includes(': error: ')).map((l) => l.replace(/: error: .*/, '')), [
        'a.scenario.yaml:4:14',
        'a.scenario.yaml:7:9',
        'a.scenario.yaml:8:11',
        'a.scenario.yaml:13:36',
        'a.scenario.yaml:14:9',
      ]);
      assert.match(result.stderr, /a\.scenario\.yaml:8:11: error: scenarios\[0\]\.expectations\[0\]\.with\.txt: unknown key "txt"; expected one of: text, artifact, in, ignoreCase, not/);
      assert.match(result.stderr, /\n5 errors in /);
      assert.equal(costar(['run'], broken.dir).code, 2, 'a run refuses it too, before any agent starts');
    } finally {
      broken.dispose();
    }
  });

  it('--workspace is accepted by every command; merge uses it for the merged report', () => {
    for (const command of commands) assert.ok('workspace' in command.options, `${command.name} takes --workspace`);
    const shard = costar(['run', '--scenario', 'greets', '--reporter', 'json:shard.json'], ws.dir);
    assert.equal(shard.code, 0, shard.stderr);
    const merged = costar(['merge', path.join(ws.dir, 'shard.json'), '--workspace', ws.dir], os.tmpdir());
    assert.equal(merged.code, 0, merged.stderr);
    assert.equal(JSON.parse(merged.stdout).workspaceDir, ws.dir);
  });

  it('help: every option with its default, examples; help CMD, trace --help and monitor --help work', () => {
    for (const command of commands) {
      const help = costar([...command.name.split(' '), '--help'], ws.dir);
      assert.equal(help.code, 0, command.name);
      assert.equal(costar(['help', ...command.name.split(' ')], ws.dir).stdout, help.stdout, `costar help ${command.name}`);
      for (const name of Object.keys(command.options)) {
        assert.match(help.stdout, new RegExp(`--${name}\\b.*\\(default: [^)]+\\)`), `${command.name} --${name} has its default`);
      }
      assert.match(help.stdout, new RegExp(`Examples:\\n  costar ${command.name}`), `${command.name} has an example`);
    }
    for (const group of ['trace', 'monitor']) {
      const help = costar([group, '--help'], ws.dir);
      assert.equal(help.code, 0, group);
      assert.match(help.stdout, new RegExp(`costar ${group} — \\d+ commands`));
      assert.match(costar(['help', group], ws.dir).stdout, new RegExp(`  ${group} \\w+`));
      assert.equal(costar([group], ws.dir).code, 2, `costar ${group} alone is a usage error`);
    }
    assert.match(costar(['run', '--help'], ws.dir).stdout, /--concurrency N +attempts running at once \(default: defaults\.concurrency of costar\.yaml\)/);
    assert.equal(costar(['help', 'frobnicate'], ws.dir).code, 2);
  });
});

describe('the bundled example copied out of the repository', { timeout: 120_000 }, () => {
  it('without its npm packages the agent says what to install, and the CLI shows it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'costar-example-'));
    try {
      // No node_modules anywhere above the temp folder: like a copy in a user's home.
      cpSync(path.join(REPO_ROOT, 'scenarios'), dir, { recursive: true, filter: (src) => !src.split(path.sep).includes('.costar') });
      const result = costar(['run', '--scenario', 'summarize-sales'], dir);
      assert.equal(result.code, 3, result.stdout);
      assert.match(result.stdout, /last lines of its stderr:\n      analyst agent: cannot load @opentelemetry\/api: this example agent needs the OpenTelemetry SDK\.\n      Install it with `npm install` in /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("its package.json asks for the OpenTelemetry versions the repository's tests run it with", () => {
    const example = JSON.parse(readFileSync(path.join(REPO_ROOT, 'scenarios', 'package.json'), 'utf8')).dependencies as Record<string, string>;
    const repo = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).devDependencies as Record<string, string>;
    for (const [name, range] of Object.entries(example)) assert.equal(range, repo[name], name);
    const imported = [...readFileSync(path.join(REPO_ROOT, 'scenarios', 'agents', 'analyst', 'tracing.mjs'), 'utf8').matchAll(/load\('([^']+)'\)/g)].map((m) => m[1]).sort();
    assert.deepEqual(Object.keys(example).sort(), imported, 'every package the agent loads is declared');
  });
});
