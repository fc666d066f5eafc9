/**
 * `costar init` in a user's repository, as a real process (requires `npm run build`): the
 * agent found (or named), the files written, what it refuses, and that the new workspace
 * validates and its first scenario passes with a real agent.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CLI, tempWorkspace } from '../support/workspace';

function costar(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', COSTAR_MODEL: '', COSTAR_MODEL_BASE_URL: '', OPENAI_API_KEY: '' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const agentOf = (dir: string) => parseYaml(readFileSync(path.join(dir, 'costar.yaml'), 'utf8')).agents;
const read = (dir: string, file: string) => readFileSync(path.join(dir, file), 'utf8');

/** Prints an answer on stdout, as the simplest agent does. */
const NODE_AGENT = "process.stdin.resume(); process.stdin.on('end', () => console.log('Hello! I summarise CSV files.'));\n";

describe('costar init', { timeout: 120_000 }, () => {
  it('a Node repository: the agent from package.json "bin", a commented costar.yaml, a first scenario, .costar/ ignored; it validates and passes', () => {
    const repo = tempWorkspace({
      'package.json': JSON.stringify({ name: '@acme/csv-helper', bin: { helper: 'bin/helper.mjs' }, main: 'lib/index.js' }),
      'bin/helper.mjs': NODE_AGENT,
    });
    try {
      const result = costar(['init'], repo.dir);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(agentOf(repo.dir), { 'csv-helper': { command: ['node', 'bin/helper.mjs'], source: ['bin'], env: {} } });
      assert.match(read(repo.dir, 'costar.yaml'), /# How to start the agent: an argv list, run without a shell/);
      assert.match(read(repo.dir, 'costar.yaml'), /detected from package\.json "bin"/);
      assert.equal(read(repo.dir, '.gitignore'), '# coSTAR run state: traces, reports, sandboxes\n.costar/\n');
      assert.match(result.stdout, /Created a coSTAR workspace in .* for agent "csv-helper": node bin\/helper\.mjs/);
      assert.match(result.stdout, /Next:\n  costar validate .*\n  costar run /);

      assert.equal(costar(['validate'], repo.dir).code, 0);
      const scenario = parseYaml(read(repo.dir, 'costar/first.scenario.yaml')).scenarios[0];
      assert.deepEqual(scenario.expectations.map((e: { judge: string }) => e.judge), ['regex', 'max-tool-errors'], 'two deterministic expectations');
      const run = costar(['run'], repo.dir);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /✓ first-scenario/);
    } finally {
      repo.dispose();
    }
  });

  it('refuses to overwrite: exit 2, says which file, writes nothing', () => {
    const repo = tempWorkspace({ 'package.json': JSON.stringify({ main: 'index.js' }), 'index.js': NODE_AGENT, 'costar.yaml': 'agents: {}\n# mine\n', '.gitignore': 'node_modules\n' });
    try {
      const result = costar(['init'], repo.dir);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /costar\.yaml already exists; nothing was written \(init never overwrites a file\)/);
      assert.equal(read(repo.dir, 'costar.yaml'), 'agents: {}\n# mine\n');
      assert.equal(read(repo.dir, '.gitignore'), 'node_modules\n', 'not even .gitignore');
      repo.write('costar/first.scenario.yaml', 'scenarios: []\n');
      assert.match(costar(['init'], repo.dir).stderr, /costar\.yaml and costar\/first\.scenario\.yaml already exist/);
    } finally {
      repo.dispose();
    }
  });

  it('a Python repository: python3 agent.py (its .venv when it has one); .gitignore appended once, never duplicated', () => {
    const repo = tempWorkspace({
      'pyproject.toml': '[build-system]\nrequires = ["hatchling"]\n\n[project]\nname = "Support_Bot"\nversion = "0.1.0"\n',
      'agent.py': 'import sys\nsys.stdin.read()\nprint("Hello! I answer support tickets.")\n',
      '.gitignore': '__pycache__/\n*.pyc',
    });
    try {
      const result = costar(['init'], repo.dir);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(agentOf(repo.dir), { support_bot: { command: ['python3', 'agent.py'], env: {} } });
      assert.equal(read(repo.dir, '.gitignore'), '__pycache__/\n*.pyc\n# coSTAR run state: traces, reports, sandboxes\n.costar/\n');
      const run = costar(['run'], repo.dir);
      assert.equal(run.code, 0, run.stdout + run.stderr);
    } finally {
      repo.dispose();
    }
    const venv = tempWorkspace({ 'requirements.txt': 'openai\n', 'my_agent/__main__.py': 'print("hi")\n', '.venv/bin/python': '', '.gitignore': 'build/\n/.costar\n' });
    try {
      assert.equal(costar(['init', '--name', 'bot'], venv.dir).code, 0);
      assert.deepEqual(agentOf(venv.dir), { bot: { command: ['.venv/bin/python', '-m', 'my_agent'], source: ['my_agent'], env: {} } });
      assert.equal(read(venv.dir, '.gitignore'), 'build/\n/.costar\n', '/.costar already ignores it');
    } finally {
      venv.dispose();
    }
  });

  it('no agent found, two found, or a command with shell syntax: exit 2 and what to pass instead', () => {
    const empty = tempWorkspace({ 'README.md': '# nothing here\n' });
    try {
      const none = costar(['init'], empty.dir);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /no Node or Python agent found in .*: name the command that starts it, e.g\. costar init --agent-command "python agent\.py"/);
      const piped = costar(['init', '--agent-command', 'node agent.mjs | tee log'], empty.dir);
      assert.equal(piped.code, 2);
      assert.match(piped.stderr, /--agent-command: the agent runs without a shell, so "\|" cannot be used/);
      empty.write('agent.mjs', NODE_AGENT);
      const named = costar(['init', '--agent-command', 'node agent.mjs --mode "quick start"'], empty.dir);
      assert.equal(named.code, 0, named.stderr);
      assert.deepEqual(Object.values(agentOf(empty.dir))[0], { command: ['node', 'agent.mjs', '--mode', 'quick start'], env: {} });
    } finally {
      empty.dispose();
    }
    const both = tempWorkspace({ 'package.json': JSON.stringify({ scripts: { start: 'node server.js' } }), 'main.py': 'print(1)\n' });
    try {
      const result = costar(['init'], both.dir);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /found more than one agent; choose with --agent-command:\n  node: npm run --silent start .*\n  python: python3 main\.py/);
    } finally {
      both.dispose();
    }
  });
});
