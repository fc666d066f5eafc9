import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadWorkspace, parseScenarioFile, type LoadedWorkspace } from '../../src/core/scenario/load';
import { formatProblem } from '../../src/core/scenario/yamlSource';

const FIXTURE = path.join(import.meta.dirname, '../fixtures/scenario/workspace');
const temps: string[] = [];
after(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A copy of the fixture workspace with `files` added or replaced (relative paths → text). */
function workspaceWith(files: Record<string, string>, base: string | null = FIXTURE): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'costar-scenario-'));
  temps.push(dir);
  if (base) cpSync(base, dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** Problems as `relFile:line:col: severity: message`, the way `costar validate` prints them. */
function lines(ws: LoadedWorkspace): string[] {
  return ws.problems.map((p) => formatProblem(p, ws.workspaceDir));
}

function only(ws: LoadedWorkspace): string {
  assert.equal(ws.problems.length, 1, `expected exactly one problem, got:\n${lines(ws).join('\n')}`);
  return lines(ws)[0]!;
}

test('the fixture workspace loads without problems, scenarios in file order with their positions', async () => {
  const ws = await loadWorkspace(FIXTURE);
  assert.deepEqual(lines(ws), []);
  assert.deepEqual(Object.keys(ws.config!.agents), ['analyst', 'writer']);
  assert.equal(ws.config!.defaults.timeout, 90_000);
  assert.deepEqual(
    ws.scenarios.map((s) => [s.relFile, s.def.id, s.agentName]),
    [
      ['scenarios/data.scenario.yaml', 'skewed-income', 'analyst'],
      ['scenarios/data.scenario.yaml', 'empty-file', 'analyst'],
      ['scenarios/reports/weekly.scenario.yaml', 'weekly-report', 'writer'],
    ],
  );
  const [skewed, empty] = ws.scenarios;
  assert.equal(skewed!.file, path.join(FIXTURE, 'scenarios/data.scenario.yaml'));
  assert.deepEqual(skewed!.idRange, { line: 2, column: 9, endLine: 2, endColumn: 22 });
  assert.equal(skewed!.range.line, 2);
  assert.equal(skewed!.range.column, 5);
  assert.deepEqual(skewed!.expectationRanges.map((r) => r.line), [12, 14]);
  assert.equal(empty!.range.line, 20);
  // Defaults and transforms are applied: durations in ms, env values as strings.
  assert.equal(skewed!.def.timeout, 30_000);
  assert.deepEqual(skewed!.def.setup.env, { SEED: '7' });
  assert.deepEqual(skewed!.def.pass, { at_least: 2 });
  assert.equal(empty!.def.pass, 'all');
  assert.equal(empty!.def.prompt, 'The input folder may be empty.\nSay so instead of inventing data.\n');
  assert.deepEqual(ws.files.map((f) => [f.relFile, f.scenarios.length, f.problems.length]), [
    ['scenarios/data.scenario.yaml', 2, 0],
    ['scenarios/reports/weekly.scenario.yaml', 1, 0],
  ]);
});

test('node_modules, .git, .costar and dist are not searched', async () => {
  const stray = 'scenarios:\n  - id: stray\n    agent: nobody\n    prompt: x\n';
  const dir = workspaceWith({
    'node_modules/pkg/a.scenario.yaml': stray,
    '.git/b.scenario.yaml': stray,
    '.costar/c.scenario.yaml': stray,
    'dist/d.scenario.yaml': stray,
  });
  const ws = await loadWorkspace(dir);
  assert.deepEqual(lines(ws), []);
  assert.equal(ws.scenarios.length, 3);
});

test('config.scenarios limits the search to its folders; a missing folder is reported at its entry', async () => {
  const dir = workspaceWith({
    'costar.yaml': 'agents:\n  writer:\n    command: [node, w.mjs]\nscenarios: [scenarios/reports, missing]\n',
  });
  const ws = await loadWorkspace(dir);
  assert.deepEqual(ws.scenarios.map((s) => s.def.id), ['weekly-report']);
  assert.match(only(ws), /^costar\.yaml:4:32: error: scenario folder "missing" does not exist/);
});

test('a missing costar.yaml is a clear problem, and the scenarios are still read', async () => {
  const dir = workspaceWith({ 'a.scenario.yaml': 'scenarios:\n  - id: a\n    prompt: hi\n' }, null);
  const ws = await loadWorkspace(dir);
  assert.equal(ws.config, undefined);
  assert.match(only(ws), /^costar\.yaml:1:1: error: no costar\.yaml in .*: create one that declares your agents/);
  assert.deepEqual(ws.scenarios.map((s) => s.def.id), ['a']);
});

test('an invalid costar.yaml is positioned in costar.yaml and leaves config undefined', async () => {
  const dir = workspaceWith({ 'costar.yaml': 'agents:\n  analyst:\n    command: node main.mjs\n' });
  const ws = await loadWorkspace(dir);
  assert.equal(ws.config, undefined);
  assert.equal(only(ws), 'costar.yaml:3:14: error: agents.analyst.command: expected a list, got the text "node main.mjs"');
});

test('unknown agent: positioned at the agent value, listing the known agents', async () => {
  const dir = workspaceWith({ 'x.scenario.yaml': 'scenarios:\n  - id: x\n    agent: anlyst\n    prompt: hi\n' });
  const ws = await loadWorkspace(dir);
  assert.equal(only(ws), 'x.scenario.yaml:3:12: error: unknown agent "anlyst"; costar.yaml defines: analyst, writer');
  assert.ok(!ws.scenarios.some((s) => s.def.id === 'x'));
});

test('agent omitted: an error when several agents exist, the only agent otherwise', async () => {
  const scenario = 'scenarios:\n  - id: no-agent\n    prompt: hi\n';
  const several = await loadWorkspace(workspaceWith({ 'x.scenario.yaml': scenario }));
  assert.equal(only(several), 'x.scenario.yaml:2:9: error: scenario "no-agent" must name its agent ("agent: ..."): costar.yaml defines several: analyst, writer');

  const one = await loadWorkspace(workspaceWith({ 'costar.yaml': 'agents:\n  solo:\n    command: [node, s.mjs]\n', 'x.scenario.yaml': scenario }, null));
  assert.deepEqual(lines(one), []);
  assert.equal(one.scenarios[0]!.agentName, 'solo');
});

test('missing setup file source: positioned at the source value, path relative to the scenario file', async () => {
  const dir = workspaceWith({
    'sub/x.scenario.yaml': 'scenarios:\n  - id: x\n    agent: writer\n    setup:\n      files:\n        in.csv: fixtures/nope.csv\n    prompt: hi\n',
  });
  const ws = await loadWorkspace(dir);
  const message = only(ws);
  assert.ok(message.startsWith('sub/x.scenario.yaml:6:17: error: setup file source "fixtures/nope.csv" does not exist'), message);
  assert.ok(message.includes(path.join(dir, 'sub/fixtures/nope.csv')), message);
});

test('sandbox paths that are absolute or escape with ".." are positioned at the key', async () => {
  const dir = workspaceWith({
    'scenarios/x.scenario.yaml': [
      'scenarios:',
      '  - id: x',
      '    agent: analyst',
      '    setup:',
      '      files:',
      '        /etc/passwd: fixtures/messy_sales.csv',
      '        data/../../up.csv: fixtures/messy_sales.csv',
      '        data/ok.csv: fixtures/messy_sales.csv',
      '    prompt: hi',
      '',
    ].join('\n'),
  });
  const ws = await loadWorkspace(dir);
  assert.deepEqual(lines(ws), [
    'scenarios/x.scenario.yaml:6:9: error: scenarios[0].setup.files["/etc/passwd"]: sandbox path "/etc/passwd" is absolute; expected a path relative to the sandbox, e.g. data/input.csv',
    'scenarios/x.scenario.yaml:7:9: error: scenarios[0].setup.files["data/../../up.csv"]: sandbox path "data/../../up.csv" leaves the sandbox (".."); expected a path inside it, e.g. data/input.csv',
  ]);
});

test('duplicate scenario ids are reported at both places; the first one stays runnable', async () => {
  const dir = workspaceWith({ 'scenarios/zz.scenario.yaml': 'scenarios:\n  - id: ok\n    agent: writer\n    prompt: hi\n  - id: weekly-report\n    agent: writer\n    prompt: again\n' });
  const ws = await loadWorkspace(dir);
  assert.deepEqual(lines(ws), [
    'scenarios/reports/weekly.scenario.yaml:2:9: error: duplicate scenario id "weekly-report": also used at scenarios/zz.scenario.yaml:5:9',
    'scenarios/zz.scenario.yaml:5:9: error: duplicate scenario id "weekly-report": already used at scenarios/reports/weekly.scenario.yaml:2:9; this one is skipped until it is renamed',
  ]);
  assert.deepEqual(ws.scenarios.map((s) => `${s.relFile}#${s.def.id}`), [
    'scenarios/data.scenario.yaml#skewed-income',
    'scenarios/data.scenario.yaml#empty-file',
    'scenarios/reports/weekly.scenario.yaml#weekly-report',
    'scenarios/zz.scenario.yaml#ok',
  ]);
});

test('unknown judge ids are errors only when the known judges are given', async () => {
  const withJudges = await loadWorkspace(FIXTURE, { knownJudges: new Set(['file-exists']) });
  assert.deepEqual(lines(withJudges), [
    'scenarios/data.scenario.yaml:14:16: error: unknown judge "command"; known judges: file-exists',
  ]);
  assert.deepEqual(withJudges.scenarios.map((s) => s.def.id), ['empty-file', 'weekly-report']);
  assert.deepEqual(lines(await loadWorkspace(FIXTURE)), []);
});

test('one bad file among good ones: the good files and the good scenarios of the bad file still load', async () => {
  const dir = workspaceWith({
    'scenarios/broken.scenario.yaml': 'scenarios:\n  - id: broken\n    prompt: [unclosed\n',
    'scenarios/mixed.scenario.yaml': 'scenarios:\n  - id: fine\n    agent: writer\n    prompt: hi\n  - id: bad\n    agent: writer\n    prompt: hi\n    timeout: soon\n',
  });
  const ws = await loadWorkspace(dir);
  assert.deepEqual(lines(ws), [
    'scenarios/broken.scenario.yaml:3:21: error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    'scenarios/mixed.scenario.yaml:8:14: error: scenarios[1].timeout: expected a duration such as "30s", "2m" or "1500ms", got "soon"',
  ]);
  assert.deepEqual(ws.scenarios.map((s) => s.def.id), ['skewed-income', 'empty-file', 'fine', 'weekly-report']);
});

test('unsaved editor buffers (overrides) win over the file on disk', async () => {
  const file = path.join(FIXTURE, 'scenarios/reports/weekly.scenario.yaml');
  const ws = await loadWorkspace(FIXTURE, { overrides: new Map([[file, 'scenarios:\n  - id: edited\n    agent: writer\n    prompt: hi\n']]) });
  assert.deepEqual(lines(ws), []);
  assert.deepEqual(ws.scenarios.map((s) => s.def.id), ['skewed-income', 'empty-file', 'edited']);
});

test('parseScenarioFile checks one buffer against a given config', () => {
  const file = path.join(FIXTURE, 'scenarios/new.scenario.yaml');
  const result = parseScenarioFile('scenarios:\n  - id: n\n    agent: ghost\n    prompt: hi\n', file, {
    workspaceDir: FIXTURE,
    config: { agents: { a: { command: ['x'], source: [], env: {} } }, defaults: { timeout: 1, concurrency: 1, repeat: 1, maxSpanMiB: 64 }, assistants: { holdoutTags: ['holdout'] }, isolation: 'none', sandbox: { outsideWrites: 'error', network: 'shared' } },
  });
  assert.equal(result.relFile, 'scenarios/new.scenario.yaml');
  assert.deepEqual(result.scenarios, []);
  assert.deepEqual(result.problems.map((p) => formatProblem(p, FIXTURE)), ['scenarios/new.scenario.yaml:3:12: error: unknown agent "ghost"; costar.yaml defines: a']);
});

test('duplicate ids inside one file are reported too', async () => {
  const dir = workspaceWith({ 'd.scenario.yaml': 'scenarios:\n  - id: twin\n    agent: writer\n    prompt: a\n  - id: twin\n    agent: writer\n    prompt: b\n' });
  const ws = await loadWorkspace(dir);
  assert.deepEqual(lines(ws).filter((l) => l.startsWith('d.')), [
    'd.scenario.yaml:2:9: error: duplicate scenario id "twin": also used at d.scenario.yaml:5:9',
    'd.scenario.yaml:5:9: error: duplicate scenario id "twin": already used at d.scenario.yaml:2:9; this one is skipped until it is renamed',
  ]);
  assert.deepEqual(ws.scenarios.filter((s) => s.def.id === 'twin').map((s) => s.def.prompt), ['a']);
});

test("an agent's debug argv needs {port} and an attach configuration with a type; each problem at its position", async () => {
  const costar = (debug: string) => `agents:\n  analyst:\n    command: [./agent]\n    debug:\n${debug}`;
  const noPort = await loadWorkspace(workspaceWith({ 'costar.yaml': costar('      command: [dlv, exec, ./agent, --headless]\n      configuration: { type: go }\n') }, null));
  assert.match(only(noPort), /^costar\.yaml:5:16: error: agents\.analyst\.debug\.command: expected \{port\} in one of the arguments/);
  const noType = await loadWorkspace(workspaceWith({ 'costar.yaml': costar("      command: [dlv, '--listen=127.0.0.1:{port}']\n      configuration:\n        request: attach\n") }, null));
  assert.match(only(noType), /^costar\.yaml:6:7: error: agents\.analyst\.debug\.configuration\.type: missing required key "type"/);
  const launch = await loadWorkspace(workspaceWith({ 'costar.yaml': costar("      command: [dlv, '--listen=127.0.0.1:{port}']\n      configuration: { type: go, request: launch }\n") }, null));
  assert.match(only(launch), /^costar\.yaml:6:43: error: agents\.analyst\.debug\.configuration\.request: expected "attach", got the text "launch"/);
  const good = await loadWorkspace(workspaceWith({ 'costar.yaml': costar("      command: [dlv, '--listen=127.0.0.1:{port}']\n      configuration: { type: go, mode: remote, port: '{port}' }\n") }, null));
  assert.deepEqual(lines(good), []);
  assert.deepEqual(good.config!.agents.analyst!.debug, { command: ['dlv', '--listen=127.0.0.1:{port}'], configuration: { type: 'go', request: 'attach', mode: 'remote', port: '{port}' } });
});
