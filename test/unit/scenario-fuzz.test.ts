/**
 * Fuzzing the loader with thousands of broken documents: whatever the text, parsing must not
 * throw, and every failure must be a Problem positioned inside the document.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { parseScenarioFile, type ScenarioFileContext } from '../../src/core/scenario/load';
import { WorkspaceConfig } from '../../src/core/scenario/schema';
import { validateYaml, type Problem } from '../../src/core/scenario/yamlSource';

const WORKSPACE = path.join(import.meta.dirname, '../fixtures/scenario/workspace');
const FILE = path.join(WORKSPACE, 'scenarios/data.scenario.yaml');
const SEED_TEXTS = [readFileSync(FILE, 'utf8'), readFileSync(path.join(WORKSPACE, 'costar.yaml'), 'utf8')];
const CTX: ScenarioFileContext = {
  workspaceDir: WORKSPACE,
  config: WorkspaceConfig.parse({ agents: { analyst: { command: ['node', 'a.mjs'] }, writer: { command: ['node', 'w.mjs'] } } }),
  knownJudges: new Set(['file-exists', 'command']),
};

/** mulberry32: a tiny seeded PRNG, so every run fuzzes the same documents. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const YAML_NOISE = [':', '-', ' ', '  ', '\n', '\t', '[', ']', '{', '}', '"', "'", '&a', '*a', '!!str', '|', '>', '#', '?', ',', '%', '@', '`', '\r\n', '\u00e9', '\u{1F600}', '\uFEFF', 'x', '0', 'null', 'true'];

function mutate(text: string, random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  let out = text;
  const steps = 1 + Math.floor(random() * 4);
  for (let i = 0; i < steps; i++) {
    const at = Math.floor(random() * (out.length + 1));
    const lines = out.split('\n');
    const line = Math.floor(random() * lines.length);
    const other = Math.floor(random() * lines.length);
    switch (Math.floor(random() * 8)) {
      case 0: out = out.slice(0, at) + out.slice(at + 1 + Math.floor(random() * 5)); break; // delete characters
      case 1: out = out.slice(0, at) + out.slice(at, at + 3) + out.slice(at); break; // duplicate characters
      case 2: out = out.slice(0, at) + out.charAt(at + 1) + out.charAt(at) + out.slice(at + 2); break; // swap two characters
      case 3: lines.splice(line, 1); out = lines.join('\n'); break; // delete a line
      case 4: lines.splice(line, 0, lines[line] ?? ''); out = lines.join('\n'); break; // duplicate a line
      case 5: [lines[line], lines[other]] = [lines[other]!, lines[line]!]; out = lines.join('\n'); break; // swap lines
      case 6: out = out.slice(0, at) + pick(YAML_NOISE) + out.slice(at); break; // insert YAML punctuation
      default: lines[line] = lines[line]!.replace(/: .*$/, `: ${stringify(randomValue(random, 2)).trimEnd().replace(/\n/g, ' ')}`); out = lines.join('\n'); // a value of a random type
    }
  }
  return out;
}

function randomValue(random: () => number, depth: number): unknown {
  const kind = Math.floor(random() * (depth > 0 ? 9 : 7));
  switch (kind) {
    case 0: return null;
    case 1: return random() < 0.5;
    case 2: return Math.floor(random() * 2000) - 1000;
    case 3: return random() * 1e6;
    case 4: return ['30s', '2m', 'soon', '', 'analyst', 'file-exists', '../x', '/abs'][Math.floor(random() * 8)];
    case 5: return String.fromCharCode(...Array.from({ length: Math.floor(random() * 8) }, () => 32 + Math.floor(random() * 95)));
    case 6: return 'x'.repeat(Math.floor(random() * 50));
    case 7: return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth - 1));
    default: {
      const keys = ['scenarios', 'id', 'agent', 'prompt', 'setup', 'files', 'expectations', 'judge', 'timeout', 'pass', 'agents', 'command', 'defaults', 'zzz'];
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [keys[Math.floor(random() * keys.length)]!, randomValue(random, depth - 1)]));
    }
  }
}

/** A document of random structure, sometimes wrapped so that it looks like a scenario file. */
function randomDocument(random: () => number): string {
  const value = random() < 0.5 ? { scenarios: [randomValue(random, 3), randomValue(random, 3)] } : randomValue(random, 4);
  return stringify(value);
}

function assertPositioned(problem: Problem, text: string, label: string): void {
  const lines = text.split(/\r\n|\r|\n/);
  const where = `${label}: ${JSON.stringify(problem)}\n--- text ---\n${text}`;
  assert.ok(problem.message.length > 0, where);
  assert.ok(problem.line >= 1 && problem.line <= lines.length, where);
  assert.ok(problem.column >= 1 && problem.column <= lines[problem.line - 1]!.length + 1, where);
  assert.ok(problem.endLine >= problem.line && problem.endLine <= lines.length, where);
  assert.ok(problem.endLine > problem.line || problem.endColumn >= problem.column, where);
  assert.ok(problem.endColumn >= 1 && problem.endColumn <= lines[problem.endLine - 1]!.length + 1, where);
}

test('1,500 mutated and random YAML documents: no exception escapes, every failure is a positioned Problem', () => {
  const random = prng(20240607);
  let failing = 0;
  for (let i = 0; i < 1500; i++) {
    const text = i % 3 === 2 ? randomDocument(random) : mutate(SEED_TEXTS[i % 6 === 1 ? 1 : 0]!, random);
    const label = `document #${i}`;

    const file = parseScenarioFile(text, FILE, CTX);
    // A file either yields scenarios or says why not.
    assert.ok(file.scenarios.length > 0 || file.problems.length > 0, `${label} yielded nothing and no problem:\n${text}`);
    for (const problem of file.problems) assertPositioned(problem, text, label);
    if (file.problems.some((p) => p.severity === 'error')) failing++;

    const config = validateYaml(text, FILE, WorkspaceConfig);
    assert.ok(config.value !== undefined || config.problems.some((p) => p.severity === 'error'), `${label}: costar.yaml neither valid nor failing`);
    for (const problem of config.problems) assertPositioned(problem, text, `${label} as costar.yaml`);
  }
  // The fuzzer must actually break things, or this test proves nothing.
  assert.ok(failing > 750, `only ${failing} of 1500 documents failed`);
});
