/**
 * Fuzzing whole workspaces: 1,000 seeded, generated workspaces — broken YAML, wrong types,
 * special files (FIFOs, /dev/zero links, folders, loops, dangling links) where YAML is expected,
 * control characters and newlines in file names, BOMs, NULs and huge prompts, collection keys,
 * scenario folders outside the workspace. Loading must never throw or hang, every problem is
 * positioned inside its file on one line, and memory stays bounded. A handful also go through
 * `costar validate` as a process: exit 0 or 2, never a stack trace. Requires `npm run build`
 * for the CLI part.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { loadWorkspaceWithJudges } from '../../src/core/workspace';
import { formatProblem, type Problem } from '../../src/core/scenario/yamlSource';
import { CLI } from '../support/workspace';

const WORKSPACES = 1000;
const THROUGH_CLI = 6;
const SEED = 20251201;

/** mulberry32: a tiny seeded PRNG, so every run generates the same workspaces. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const NAMES = ['a', 'data', 'ünïcode', 'with space', 'new\nline', 'esc\x1b[31m', 'tab\tname', 'line\u2028sep', 'back\\slash', 'quote"d', 'colon:1:2'];
const VALUES: unknown[] = [null, true, 0, -1, 1e308, '', 'x', '30s', 'nope', [], {}, [1, 'a'], { a: { b: [] } }, 'a\u0000b', 'y'.repeat(70 * 1024)];

function validConfig(random: Random): Record<string, unknown> {
  const config: Record<string, unknown> = { agents: { bot: { command: ['node', 'agent.mjs'], ...(random() < 0.3 ? { passEnv: ['MY_*'] } : {}) } } };
  if (random() < 0.3) config.scenarios = [pick(random, ['.', 'suites', '/', '..', '../..', 'missing', 'link-out'])];
  if (random() < 0.3) config.judges = pick(random, ['judges', ['judges'], [{ id: 'inline', kind: 'check', check: 'regex', with: { pattern: 'x' } }]]);
  if (random() < 0.2) config.model = { baseUrl: 'http://user:pw@127.0.0.1:9/v1', apiKeyEnv: pick(random, ['OPENAI_API_KEY', 'GITHUB_TOKEN']) };
  return config;
}

function validScenarios(random: Random): Record<string, unknown> {
  const count = 1 + Math.floor(random() * 3);
  return {
    scenarios: Array.from({ length: count }, (_, i) => ({
      id: `s${i}-${Math.floor(random() * 5)}`,
      prompt: random() < 0.1 ? 'p'.repeat(70 * 1024) : random() < 0.05 ? 'has a \u0000 NUL' : `prompt ${i}`,
      ...(random() < 0.3 ? { expectations: [{ judge: pick(random, ['file-exists', 'regex', 'inline', 'unknown-judge']), with: {} }] } : {}),
      ...(random() < 0.2 ? { setup: { files: { [pick(random, ['in.csv', '../out', '/abs'])]: 'nope.csv' }, env: { K: pick(random, ['v', 'a\u0000b']) } } } : {}),
    })),
  };
}

/** Replaces a random node of a plain object tree with a random value. */
function corrupt(data: unknown, random: Random, depth = 0): unknown {
  if (depth > 4 || data === null || typeof data !== 'object' || random() < 0.25) return pick(random, VALUES);
  if (Array.isArray(data)) {
    const copy = [...data];
    if (copy.length > 0) copy[Math.floor(random() * copy.length)] = corrupt(copy[Math.floor(random() * copy.length)], random, depth + 1);
    return copy;
  }
  const copy = { ...(data as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (random() < 0.2) copy[pick(random, ['extra', '__proto__', 'constructor', 'agnets'])] = pick(random, VALUES);
  else if (keys.length > 0) {
    const key = pick(random, keys);
    copy[key] = corrupt(copy[key], random, depth + 1);
  }
  return copy;
}

const NOISE = [':', '- ', '\n  ', '\t', '[', ']', '{', '}', '"', "'", '&a ', '*a', '!!binary ', '|', '? [a, b]\n: c\n', '%YAML 9\n', '\r\n', '\uFEFF', '\u0000', '<<: *x\n'];

function yamlText(data: unknown, random: Random): string {
  let text = stringify(data);
  if (random() < 0.4) {
    for (let i = 0, n = 1 + Math.floor(random() * 3); i < n; i++) {
      const at = Math.floor(random() * (text.length + 1));
      text = text.slice(0, at) + pick(random, NOISE) + text.slice(at + Math.floor(random() * 3));
    }
  }
  if (random() < 0.1) text = `\uFEFF${text}`;
  return text;
}

/** One FIFO, made once: the generated ones are hard links to it (no mkfifo process each time). */
let fifo: string | undefined;
function fifoLink(file: string): void {
  if (!fifo) {
    fifo = path.join(mkdtempSync(path.join(os.tmpdir(), 'costar-wsfuzz-fifo-')), 'pipe');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  }
  linkSync(fifo, file);
}

/** Puts something that is not a regular file where a YAML file is expected. */
function special(file: string, random: Random): void {
  switch (Math.floor(random() * 5)) {
    case 0: fifoLink(file); break;
    case 1: symlinkSync('/dev/zero', file); break;
    case 2: mkdirSync(file); break;
    case 3: symlinkSync(path.basename(file), file); break; // a loop
    default: symlinkSync('does-not-exist', file);
  }
}

function generate(dir: string, random: Random, outside: string): void {
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };
  if (random() < 0.08) special(path.join(dir, 'costar.yaml'), random);
  else if (random() > 0.03) write('costar.yaml', yamlText(random() < 0.5 ? validConfig(random) : corrupt(validConfig(random), random), random));
  if (random() < 0.1) symlinkSync(outside, path.join(dir, 'link-out'));
  const files = Math.floor(random() * 4);
  for (let i = 0; i < files; i++) {
    const folder = pick(random, ['', 'suites/', 'deep/er/']);
    const name = `${folder}${pick(random, NAMES)}${i}.scenario.yaml`;
    if (random() < 0.1) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      special(path.join(dir, name), random);
    } else write(name, yamlText(random() < 0.5 ? validScenarios(random) : corrupt(validScenarios(random), random), random));
  }
  if (random() < 0.3) {
    const judge = { id: pick(random, ['j', 'regex', 'bad id!']), kind: pick(random, ['check', 'llm', 'module', 'nope']), check: 'regex', instructions: 'x {{ nope }}', with: { pattern: 'x' } };
    const file = path.join(dir, 'judges', `${pick(random, NAMES)}.judge.yaml`);
    mkdirSync(path.dirname(file), { recursive: true });
    if (random() < 0.2) special(file, random);
    else writeFileSync(file, yamlText(random() < 0.5 ? judge : corrupt(judge, random), random));
  }
}

function checkProblem(problem: Problem, dir: string, text: () => string): void {
  assert.ok(path.isAbsolute(problem.file), `problem file is absolute: ${problem.file}`);
  assert.ok(problem.line >= 1 && problem.column >= 1, `positioned: ${formatProblem(problem)}`);
  assert.ok(problem.endLine > problem.line || (problem.endLine === problem.line && problem.endColumn >= problem.column), `range ends after it starts: ${formatProblem(problem)}`);
  assert.ok(problem.message.trim().length > 0, 'a message');
  assert.ok(problem.severity === 'error' || problem.severity === 'warning');
  const line = formatProblem(problem, dir);
  assert.ok(!/[\n\r\u2028]/.test(line.slice(0, line.indexOf(`:${problem.line}:${problem.column}:`))), `the file name stays on one line: ${JSON.stringify(line)}\n${text()}`);
}

test(`${WORKSPACES} generated workspaces load without throwing or hanging; every problem positioned`, { timeout: 300_000 }, async () => {
  const random = prng(SEED);
  const root = mkdtempSync(path.join(os.tmpdir(), 'costar-wsfuzz-'));
  const outside = mkdtempSync(path.join(os.tmpdir(), 'costar-wsfuzz-outside-'));
  writeFileSync(path.join(outside, 'far.scenario.yaml'), 'scenarios:\n  - id: far-away\n    prompt: x\n');
  const heapBefore = process.memoryUsage().heapUsed;
  let withProblems = 0;
  try {
    for (let n = 0; n < WORKSPACES; n++) {
      const dir = path.join(root, String(n));
      mkdirSync(dir);
      generate(dir, random, outside);
      const loaded = await loadWorkspaceWithJudges(dir);
      for (const problem of loaded.problems) checkProblem(problem, dir, () => `workspace #${n}`);
      if (loaded.problems.length > 0) withProblems++;
      assert.ok(!loaded.workspace.scenarios.some((s) => s.def.id === 'far-away'), `workspace #${n} loaded a scenario from outside the workspace`);
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
  assert.ok(withProblems > WORKSPACES / 2, `most generated workspaces are broken somehow (${withProblems})`);
  // Nothing read /dev/zero to the end or kept whole workspaces alive.
  assert.ok(process.memoryUsage().heapUsed - heapBefore < 512 * 1024 * 1024, 'heap stayed bounded');
});

test(`${THROUGH_CLI} generated workspaces through \`costar validate\`: exit 0 or 2, no stack trace`, { timeout: 300_000 }, () => {
  const random = prng(SEED + 1);
  const outside = mkdtempSync(path.join(os.tmpdir(), 'costar-wsfuzz-outside-'));
  try {
    for (let n = 0; n < THROUGH_CLI; n++) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'costar-wsfuzz-cli-'));
      try {
        generate(dir, random, outside);
        if (random() < 2) special(path.join(dir, `special${n}.scenario.yaml`), random); // at least one special file each
        const result = spawnSync(process.execPath, [CLI, 'validate', '--workspace', dir], { encoding: 'utf8', timeout: 60_000 });
        assert.equal(result.signal, null, `validate #${n} hung`);
        assert.ok(result.status === 0 || result.status === 2, `exit ${result.status}: ${result.stderr}`);
        assert.doesNotMatch(result.stderr, /\n\s+at |Warning: /, `#${n}: ${result.stderr}`);
        for (const line of result.stderr.split('\n').filter((l) => /: (error|warning): /.test(l))) assert.match(line, /^[^\n]*:\d+:\d+: (error|warning): /);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});
