/**
 * Deterministic re-score throughput: 1,000 stored traces (≈ 60 spans and 2 artifacts each)
 * read back from the trace store and judged by six built-in checks each, no model.
 * Goal: ≥ 500 traces/s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadJudgeCatalog } from '../src/core/judges/catalog';
import { evaluateExpectations } from '../src/core/judges/evaluate';
import { Scenario } from '../src/core/scenario/schema';
import { TraceStore } from '../src/core/trace/store';
import { artifact, TraceBuilder } from '../test/support/traceBuilder';

const TRACES = Number(process.env.TRACES ?? 1000);

function makeTrace(i: number) {
  const b = new TraceBuilder();
  const root = b.span({ name: 'agent', spanType: 'AGENT', durationMs: 200, inputs: { prompt: 'summarise' }, outputs: { output: `Summary ${i} written`, stdout: 'DONE\n' } });
  for (let k = 0; k < 59; k++) {
    const tool = ['read_file', 'search', 'write_file'][k % 3]!;
    b.span({ parent: root, name: tool, toolName: tool, startMs: k * 3, durationMs: 2, inputs: { path: `f${k}.txt` }, outputs: `result ${k}`, ...(k % 29 === 28 ? { error: 'timeout' } : {}) });
  }
  const t = b.build({ artifacts: [artifact('summary.json', JSON.stringify({ title: `T${i}`, points: ['a', 'b'] })), artifact('notes.md', `# Notes ${i}\n`)] });
  t.info.traceId = i.toString(16).padStart(32, '0');
  return t;
}

async function main() {
  const ws = await mkdtemp(path.join(tmpdir(), 'costar-rescore-bench-'));
  try {
    const store = new TraceStore(ws);
    const ids: string[] = [];
    for (let i = 1; i <= TRACES; i++) {
      const trace = makeTrace(i);
      await store.put(trace);
      ids.push(trace.info.traceId);
    }
    const { catalog } = await loadJudgeCatalog(ws, {});
    const scenario = Scenario.parse({
      id: 's',
      prompt: 'summarise',
      expectations: [
        { judge: 'file-exists', with: { paths: ['summary.json', 'notes.md'] } },
        { judge: 'json-schema', with: { artifact: 'summary.json', schema: { type: 'object', required: ['title', 'points'] } } },
        { judge: 'contains', with: { text: 'written' } },
        { judge: 'regex', with: { pattern: '^DONE$', flags: 'm', in: 'stdout' } },
        { judge: 'tool-sequence', with: { rules: [{ before: 'read_file', then: 'write_file' }] } },
        { judge: 'max-tool-errors', with: { max: 3 } },
      ],
    });
    const signal = new AbortController().signal;
    const start = performance.now();
    let verdicts = 0;
    let passed = 0;
    for (const id of ids) {
      const trace = (await store.get(id))!;
      for (const v of await evaluateExpectations({ trace, scenario, workspaceDir: ws, catalog, signal })) {
        verdicts++;
        if (v.outcome === 'passed') passed++;
      }
    }
    const seconds = (performance.now() - start) / 1000;
    const rate = ids.length / seconds;
    console.table([{ traces: ids.length, verdicts, passed, seconds: Number(seconds.toFixed(2)), 'traces/s': Math.round(rate) }]);
    console.log(`goal ≥ 500 traces/s: ${rate >= 500 ? 'met' : 'NOT met'}`);
    if (passed !== verdicts) console.log('warning: some verdicts did not pass; the bench traces should all pass');
    if (rate < 500) process.exitCode = 1;
  } finally {
    await rm(ws, { recursive: true, force: true });
  }
}

void main();
