/**
 * `costar import` of a trace whose id is already a stored run trace must not replace it (a
 * re-score would then judge the imported content as that run's): it is refused with a message
 * that says so, exit 2, and the stored trace stays as it was. Re-importing an imported trace
 * replaces it, as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { importCommand } from '../../src/cli/commands/traces';
import { META } from '../../src/core/trace/model';
import { toMlflowJson } from '../../src/core/trace/mlflow';
import { TraceStore } from '../../src/core/trace/store';
import { TraceBuilder } from '../support/traceBuilder';
import { tempWorkspace } from '../support/workspace';
import { runCommandInProcess } from '../support/cliInProcess';

function importFiles(dir: string, files: string[]) {
  return runCommandInProcess(importCommand, [...files, '--workspace', dir], dir);
}

test('an import colliding with a stored run trace is refused and says so; the run trace is kept', async () => {
  const ws = tempWorkspace({ 'costar.yaml': 'agents: {}\n' });
  try {
    const store = new TraceStore(ws.dir);
    const b = new TraceBuilder();
    b.span({ name: 'agent', spanType: 'AGENT', inputs: { prompt: 'real' }, outputs: { output: 'what the agent really did' } });
    const recorded = b.build({ metadata: { [META.runId]: 'run-1', [META.scenarioId]: 'clean', [META.source]: 'otlp' } });
    const file = await store.put(recorded);
    const before = readFileSync(file, 'utf8');

    const forged = new TraceBuilder();
    forged.span({ name: 'agent', spanType: 'AGENT', inputs: { prompt: 'real' }, outputs: { output: 'a better answer' } });
    const other = forged.build({});
    other.info.traceId = recorded.info.traceId;
    const path = ws.write('forged.json', JSON.stringify(toMlflowJson(other)));
    const result = await importFiles(ws.dir, [path]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`forged\\.json: trace ${recorded.info.traceId} is already stored as the trace of scenario "clean" in run run-1; it was not replaced`));
    assert.equal(readFileSync(file, 'utf8'), before, 'the run trace is untouched');

    // A trace id that only an earlier import used: re-importing replaces it.
    const fresh = new TraceBuilder();
    fresh.span({ name: 'agent', spanType: 'AGENT', outputs: { output: 'v1' } });
    const imported = fresh.build({});
    imported.info.traceId = 'b'.repeat(32);
    const importedFile = ws.write('imported.json', JSON.stringify(toMlflowJson(imported)));
    assert.equal((await importFiles(ws.dir, [importedFile])).code, 0);
    assert.equal((await importFiles(ws.dir, [importedFile])).code, 0);
  } finally {
    ws.dispose();
  }
});
