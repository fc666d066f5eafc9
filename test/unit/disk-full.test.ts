/**
 * A full disk: the CLI says what it could not write ("could not write <file>: disk full"),
 * exits 3, prints no stack trace, and leaves no half-written file — the previous report is
 * intact. The workspace lives on a 1 MiB tmpfs, so this needs root (mount); elsewhere it is
 * skipped with that reason. Requires `npm run build`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, FIXTURE_AGENTS } from '../support/workspace';

const dir = mkdtempSync(path.join(os.tmpdir(), 'costar-full-'));
const mounted = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]).status === 0;

describe('a full disk', { skip: mounted ? false : 'needs root to mount a small tmpfs', timeout: 120_000 }, () => {
  const costar = (args: string[]) => spawnSync(process.execPath, [CLI, ...args, '--workspace', dir], { encoding: 'utf8', timeout: 60_000 });
  before(() => {
    writeFileSync(path.join(dir, 'costar.yaml'), `agents:\n  a:\n    command: ${JSON.stringify([process.execPath, path.join(FIXTURE_AGENTS, 'pass.mjs')])}\n`);
    writeFileSync(path.join(dir, 's.scenario.yaml'), 'scenarios:\n  - id: one\n    prompt: hi\n');
  });
  after(() => {
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('run: "could not write …: disk full", exit 3, no stack trace, the previous report untouched', () => {
    assert.equal(costar(['run']).status, 0);
    const runs = path.join(dir, '.costar', 'runs');
    const [first] = readdirSync(runs);
    const firstReport = readFileSync(path.join(runs, first!, 'report.json'), 'utf8');
    // Fill what is left.
    const filler = Buffer.alloc(4096);
    for (let i = 0; ; i++) {
      try {
        writeFileSync(path.join(dir, `filler-${i}`), filler);
      } catch {
        break;
      }
    }
    const result = costar(['run']);
    assert.equal(result.status, 3, result.stdout + result.stderr);
    assert.match(result.stdout + result.stderr, /could not write \S+: disk full/);
    assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at |ENOSPC: no space left/);
    assert.equal(readFileSync(path.join(runs, first!, 'report.json'), 'utf8'), firstReport);
    for (const run of readdirSync(runs)) {
      const files = readdirSync(path.join(runs, run));
      assert.ok(!files.some((f) => f.endsWith('.tmp')), `a temp file was left in ${run}`);
      if (files.includes('report.json')) JSON.parse(readFileSync(path.join(runs, run, 'report.json'), 'utf8'));
    }
  });
});
