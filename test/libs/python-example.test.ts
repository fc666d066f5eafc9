/**
 * The bundled Python example workspace (examples/python-agent/) as its README runs it: the costar
 * CLI runs the word-counting agent, traced by the OpenTelemetry Python SDK. The workspace's own
 * `.venv` is the repository's test venv (it holds the same pinned OpenTelemetry packages).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { TraceStore } from '../../src/core/trace/store';
import type { RunReport } from '../../src/core/run/protocol';
import { CLI, REPO_ROOT, tempWorkspace } from '../support/workspace';
import { VENV_PYTHON } from './realAgents';

const EXAMPLE = path.join(REPO_ROOT, 'examples', 'python-agent');

describe('the Python example workspace', { timeout: 120_000 }, () => {
  const ws = tempWorkspace();
  after(() => ws.dispose());

  it('runs as its README says: count-words passes, missing-notes fails on the failed read, exit 1', async () => {
    assert.ok(existsSync(VENV_PYTHON), 'the test venv exists (npm run test:libs creates it)');
    const pinned = readFileSync(path.join(EXAMPLE, 'requirements.txt'), 'utf8').match(/^[\w.-]+==[\w.]+$/gm)!;
    const testPins = readFileSync(path.join(REPO_ROOT, 'test', 'python', 'requirements.txt'), 'utf8');
    for (const pin of pinned) assert.ok(testPins.includes(pin), `the test venv pins ${pin} too, so it can stand in for the example's own venv`);
    cpSync(EXAMPLE, ws.dir, { recursive: true, filter: (src) => !/[/\\](\.venv|\.costar)$/.test(src) });
    symlinkSync(path.join(REPO_ROOT, '.venv'), path.join(ws.dir, '.venv'), 'dir');

    const out = path.join(ws.dir, 'report.json');
    const result = spawnSync(process.execPath, [CLI, 'run', '--workspace', '.', '--reporter', 'pretty', '--reporter', `json:${out}`], { cwd: ws.dir, encoding: 'utf8' });
    assert.equal(result.status, 1, `exit 1 because missing-notes fails\n${result.stdout}\n${result.stderr}`);
    const report = JSON.parse(readFileSync(out, 'utf8')) as RunReport;
    const status = Object.fromEntries(report.scenarios.map((s) => [s.id, s.status]));
    assert.deepEqual(status, { 'count-words': 'passed', 'missing-notes': 'failed' });

    const store = new TraceStore(ws.dir);
    const counted = (await store.get(report.scenarios.find((s) => s.id === 'count-words')!.traceId!))!;
    assert.equal(counted.info.metadata['costar.trace_source'], 'otlp');
    assert.deepEqual(counted.spans.filter((s) => s.spanType === 'TOOL').map((s) => s.toolName).sort(), ['count_words', 'read_file', 'write_file']);
    assert.ok(counted.spans.some((s) => s.spanType === 'AGENT' && s.name === 'invoke_agent word-counter'));
    assert.equal(counted.artifacts.find((a) => a.path === 'counts.json')?.change, 'created');
    assert.match(JSON.parse(counted.artifacts.find((a) => a.path === 'counts.json')!.text!).the.toString(), /^3$/);

    const missing = report.scenarios.find((s) => s.id === 'missing-notes')!;
    const verdict = missing.attempts.at(-1)!.verdicts[0]!;
    assert.equal(verdict.outcome, 'failed');
    assert.match(verdict.rationale, /1 of 1 tool calls failed.*read_file.*No such file/);
  });
});
