/**
 * `costar mcp` as a coding assistant meets it: the official MCP SDK client over stdio starts
 * the built CLI on a copy of the example workspace, lists the tools, runs a failing and a
 * passing scenario, and reads the failing trace's cited span. A held-out scenario is
 * invisible through every tool. Requires `npm run build`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI, copyExampleWorkspace, type TempWorkspace } from '../support/workspace';

type ToolResult = { content: { type: string; text: string }[]; structuredContent?: Record<string, any>; isError?: boolean };

describe('costar mcp over stdio (MCP SDK client)', { timeout: 180_000 }, () => {
  let ws: TempWorkspace;
  let client: Client;
  let heldOutTraceId: string;

  before(async () => {
    ws = copyExampleWorkspace();
    // feature-script becomes the held-out generalization check.
    const reports = path.join(ws.dir, 'suites', 'reports.scenario.yaml');
    const text = readFileSync(reports, 'utf8');
    const marked = text.replace(/(- id: feature-script[\s\S]*?tags: \[)/, '$1holdout, ');
    assert.notEqual(marked, text, 'the fixture has a tags list on feature-script');
    writeFileSync(reports, marked);
    // A run of the held-out scenario outside MCP leaves a trace the assistant must not see.
    const run = spawnSync(process.execPath, [CLI, 'run', '--scenario', 'feature-script', '--reporter', 'json'], { cwd: ws.dir, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    heldOutTraceId = JSON.parse(run.stdout).scenarios[0].traceId;

    client = new Client({ name: 'costar-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--workspace', ws.dir], stderr: 'pipe' }));
  });
  after(async () => {
    await client?.close();
    ws?.dispose();
  });

  const call = async (name: string, args: Record<string, unknown> = {}, onprogress?: (p: { progress: number; total?: number }) => void) =>
    (await client.callTool({ name, arguments: args }, undefined, onprogress ? { onprogress } : undefined)) as ToolResult;

  it('lists the workspace tools and the agentic judge\'s trace tools, each taking trace_id', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const name of ['list_scenarios', 'run_scenarios', 'rescore', 'get_report', 'diff_runs', 'get_trace_info', 'list_spans', 'get_span', 'get_root_span', 'search_trace_regex', 'get_span_performance_and_timing_report', 'list_artifacts', 'read_artifact']) {
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    }
    const getSpan = tools.find((t) => t.name === 'get_span')!;
    assert.deepEqual([...(getSpan.inputSchema.required ?? [])].sort(), ['spanId', 'trace_id']);
  });

  it('list_scenarios shows every scenario but the held-out one', async () => {
    const result = await call('list_scenarios');
    const ids = result.structuredContent!.scenarios.map((s: { id: string }) => s.id).sort();
    assert.deepEqual(ids, ['clean-customers', 'explains-cleaning', 'skewed-income', 'summarize-sales']);
    assert.doesNotMatch(result.content[0]!.text, /feature-script/);
  });

  it('run_scenarios runs a failing and a passing scenario, reports progress, rationales and trace ids; the cited span can be read', async () => {
    const progress: number[] = [];
    const result = await call('run_scenarios', { scenario_ids: ['skewed-income', 'clean-customers'] }, (p) => progress.push(p.progress));
    assert.equal(result.isError, false, result.content[0]?.text);
    const byId = Object.fromEntries(result.structuredContent!.scenarios.map((s: { id: string }) => [s.id, s]));
    assert.equal(byId['clean-customers'].status, 'passed');
    assert.equal(byId['skewed-income'].status, 'failed');
    const failing = byId['skewed-income'].failing;
    assert.equal(failing[0].judge, 'robust-imputation');
    assert.match(result.content[0]!.text, /skewed-income \[failed\][\s\S]*median of the observed values is 47000/);
    assert.deepEqual(progress, [1, 2]);

    const traceId = byId['skewed-income'].traceId;
    const info = await call('get_trace_info', { trace_id: traceId });
    assert.equal(info.structuredContent!.traceId, traceId);
    const spans = await call('list_spans', { trace_id: traceId, name: 'write_file' });
    const writeSpan = spans.structuredContent!.spans[0];
    assert.ok(writeSpan, spans.content[0]!.text);
    const span = await call('get_span', { trace_id: traceId, spanId: writeSpan.spanId });
    assert.match(span.structuredContent!.content, /clean\.csv/);
    const artifact = await call('read_artifact', { trace_id: traceId, path: 'clean.csv' });
    assert.match(artifact.structuredContent!.content, /income/);

    const report = await call('get_report');
    assert.equal(report.structuredContent!.runId, result.structuredContent!.runId);
  });

  it('the held-out scenario cannot be run, and its trace reads as missing', async () => {
    const run = await call('run_scenarios', { scenario_ids: ['feature-script'] });
    assert.equal(run.isError, true);
    assert.match(run.content[0]!.text, /no scenario "feature-script"/);
    const trace = await call('get_trace_info', { trace_id: heldOutTraceId });
    assert.equal(trace.isError, true);
    assert.match(trace.content[0]!.text, /no stored trace/);
    const tagged = await call('run_scenarios', { tags: ['holdout'] });
    assert.equal(tagged.isError, true);
  });

  it('bad arguments come back as a tool error the assistant can read', async () => {
    const result = await call('get_span', { trace_id: 'nope', spanId: 'x' });
    assert.equal(result.isError, true);
    assert.match(result.content[0]!.text, /trace_id: expected a trace id/);
  });
});
