/**
 * Files a cloned repository can put where coSTAR expects YAML: FIFOs, devices, folders, symlink
 * loops, dangling links, huge files, a BOM, control characters in names. Loading must never
 * hang or read without bound, and every problem names the file and says why.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { loadWorkspaceWithJudges } from '../../src/core/workspace';
import { formatProblem } from '../../src/core/scenario/yamlSource';
import { readUserFile, UserFileError } from '../../src/core/util/userFile';
import { CLI, tempWorkspace, type TempWorkspace } from '../support/workspace';

const CONFIG = 'agents:\n  a:\n    command: [node, a.mjs]\n';
const SCENARIO = 'scenarios:\n  - id: one\n    prompt: hi\n';
const workspaces: TempWorkspace[] = [];
after(() => workspaces.forEach((w) => w.dispose()));

function workspace(files: Record<string, string> = { 'costar.yaml': CONFIG, 's.scenario.yaml': SCENARIO }): TempWorkspace {
  const ws = tempWorkspace(files);
  workspaces.push(ws);
  return ws;
}

function mkfifo(file: string): void {
  const result = spawnSync('mkfifo', [file]);
  assert.equal(result.status, 0, `mkfifo failed: ${result.stderr}`);
}

async function problemLines(dir: string): Promise<string[]> {
  const { problems } = await loadWorkspaceWithJudges(dir);
  return problems.map((p) => formatProblem(p, dir));
}

function validate(dir: string) {
  // A hang would be the bug: the timeout turns it into a failure instead of a stuck suite.
  const result = spawnSync(process.execPath, [CLI, 'validate', '--workspace', dir], { encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, signal: result.signal };
}

describe('special files as costar.yaml, scenario and judge files', () => {
  const cases: [string, (target: string) => void, RegExp][] = [
    ['a FIFO', (target) => mkfifo(target), /a named pipe \(FIFO\), not a regular file/],
    ['a symlink to /dev/urandom', (target) => symlinkSync('/dev/urandom', target), /a character device, not a regular file/],
    ['a symlink to /dev/zero', (target) => symlinkSync('/dev/zero', target), /a character device, not a regular file/],
    ['a folder', (target) => mkdirSync(target), /a folder/],
    ['a symlink loop', (target) => symlinkSync(path.basename(target), target), /a symlink loop/],
    ['a dangling symlink', (target) => symlinkSync('nowhere.yaml', target), /does not exist \(or is a symlink to nothing\)/],
  ];
  for (const [what, make, reason] of cases) {
    it(`costar.yaml that is ${what}: a problem naming it, no hang`, async () => {
      const ws = workspace({ 's.scenario.yaml': SCENARIO });
      make(path.join(ws.dir, 'costar.yaml'));
      const lines = await problemLines(ws.dir);
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0]!, /^costar\.yaml:1:1: error: /);
      if (!/does not exist/.test(reason.source)) assert.match(lines[0]!, reason);
    });
    // A folder named *.scenario.yaml is a folder: it is searched like any other.
    if (what !== 'a folder') it(`a scenario file that is ${what}`, async () => {
      const ws = workspace();
      make(path.join(ws.dir, 'bad.scenario.yaml'));
      const lines = await problemLines(ws.dir);
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0]!, /^bad\.scenario\.yaml:1:1: error: cannot read this scenario file: /);
      assert.match(lines[0]!, reason);
    });
    it(`a judge file that is ${what}`, async () => {
      const ws = workspace();
      mkdirSync(path.join(ws.dir, 'judges'));
      make(path.join(ws.dir, 'judges', 'bad.judge.yaml'));
      const lines = await problemLines(ws.dir);
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0]!, /^judges\/bad\.judge\.yaml:1:1: error: cannot read this judge file: /);
      assert.match(lines[0]!, reason);
    });
  }

  it('through the CLI: a FIFO judge file and a /dev/zero scenario give exit 2 with both files named, no stack trace', () => {
    const ws = workspace();
    mkdirSync(path.join(ws.dir, 'judges'));
    mkfifo(path.join(ws.dir, 'judges', 'pipe.judge.yaml'));
    symlinkSync('/dev/zero', path.join(ws.dir, 'zero.scenario.yaml'));
    const result = validate(ws.dir);
    assert.equal(result.signal, null, 'validate hung');
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /pipe\.judge\.yaml:1:1: error: cannot read this judge file: it is a named pipe/);
    assert.match(result.stderr, /zero\.scenario\.yaml:1:1: error: cannot read this scenario file: it is a character device/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('a file over the size cap is refused without reading it all', async () => {
    const ws = workspace();
    const file = ws.write('big.scenario.yaml', `${SCENARIO}# ${'x'.repeat(4 * 1024 * 1024)}\n`);
    await assert.rejects(readUserFile(file), (error: unknown) => error instanceof UserFileError && /more than the 4 MiB/.test(error.message));
    const lines = await problemLines(ws.dir);
    assert.match(lines.join('\n'), /big\.scenario\.yaml:1:1: error: cannot read this scenario file: it is 4 MiB, more than the 4 MiB/);
  });
});

describe('scenario folders outside the workspace', () => {
  for (const folder of ['/', '..', '../..']) {
    it(`scenarios: [${folder}] is refused at its position, and nothing outside is searched`, async () => {
      const ws = workspace({ 'costar.yaml': `${CONFIG}scenarios: [${JSON.stringify(folder)}, .]\n`, 's.scenario.yaml': SCENARIO });
      const { problems, workspace: loaded } = await loadWorkspaceWithJudges(ws.dir);
      const lines = problems.map((p) => formatProblem(p, ws.dir));
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0]!, /^costar\.yaml:4:\d+: error: scenario folder ".*" is outside the workspace/);
      assert.deepEqual(loaded.scenarios.map((s) => s.def.id), ['one']);
    });
  }
  it('a symlinked scenario folder that leads out of the workspace is refused too', async () => {
    const outside = workspace({ 'x.scenario.yaml': SCENARIO.replace('one', 'outside') });
    const ws = workspace({ 'costar.yaml': `${CONFIG}scenarios: [linked]\n` });
    symlinkSync(outside.dir, path.join(ws.dir, 'linked'));
    const lines = await problemLines(ws.dir);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /scenario folder "linked" is outside the workspace/);
  });
});

describe('text quirks', () => {
  it('BOM-prefixed costar.yaml, scenario and judge files load', async () => {
    const ws = workspace({
      'costar.yaml': `\uFEFF${CONFIG}`,
      's.scenario.yaml': `\uFEFF${SCENARIO}    expectations: [{ judge: j }]\n`,
      'judges/j.judge.yaml': '\uFEFFid: j\nkind: check\ncheck: regex\nwith: { pattern: x }\n',
    });
    assert.deepEqual(await problemLines(ws.dir), []);
  });

  it('a control character or newline in a file name is escaped, so file:line:col stays one line', async () => {
    const ws = workspace({ 'costar.yaml': CONFIG, 'a\nb\x1b.scenario.yaml': 'scenarios: 3\n' });
    const lines = await problemLines(ws.dir);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^a\\nb\\x1b\.scenario\.yaml:1:12: error: /);
    assert.doesNotMatch(lines[0]!, /\n/);
  });

  it('a mapping used as a key is a positioned error, and the yaml library prints nothing to stderr', async () => {
    const ws = workspace({ 'costar.yaml': CONFIG, 's.scenario.yaml': 'scenarios:\n  - id: one\n    prompt: hi\n    ? [a, b]\n    : c\n' });
    const warnings: unknown[] = [];
    const onWarning = (w: unknown) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const lines = await problemLines(ws.dir);
      assert.ok(lines.some((l) => /^s\.scenario\.yaml:4:7: error: a list cannot be a key/.test(l)), lines.join('\n'));
    } finally {
      process.off('warning', onWarning);
    }
    // process 'warning' events are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings, []);
    const cli = validate(ws.dir);
    assert.equal(cli.code, 2);
    assert.doesNotMatch(cli.stderr, /Keys with collection values|Warning:/);
  });
});

describe('prompts the agent could not receive', () => {
  it('a NUL in a prompt or an env value is an error at its position', async () => {
    const ws = workspace({
      'costar.yaml': CONFIG,
      's.scenario.yaml': 'scenarios:\n  - id: one\n    prompt: "line one\\nab\\0c"\n    setup:\n      env: { X: "a\\0" }\n',
    });
    const lines = await problemLines(ws.dir);
    assert.deepEqual(lines.map((l) => l.replace(/ \(line.*$/, '')), [
      's.scenario.yaml:3:13: error: scenarios[0].prompt: the prompt contains a NUL character',
      's.scenario.yaml:5:17: error: scenarios[0].setup.env.X: contains a NUL character',
    ]);
    assert.match(lines[0]!, /line 2, column 3 of the text/);
  });

  it('a prompt over 64 KiB is a warning saying it goes by file, not an error', async () => {
    const ws = workspace({ 'costar.yaml': CONFIG, 's.scenario.yaml': `scenarios:\n  - id: one\n    prompt: ${'y'.repeat(200 * 1024)}\n` });
    const lines = await problemLines(ws.dir);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^s\.scenario\.yaml:3:13: warning: prompt: 200 KiB is more than COSTAR_PROMPT can hold \(64 KiB\): .*COSTAR_PROMPT_FILE/);
  });
});
