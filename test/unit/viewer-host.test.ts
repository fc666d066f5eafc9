/**
 * The trace viewer's host side without VS Code: skeleton, root cause, metrics, search matching,
 * message handling over a real session (stored trace, outline, worker thread), HTML, and
 * finding a trace's verdicts in real run reports on disk.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { indexTrace } from '../../src/extension/traceViewer/skeleton';
import { findRootCause, outlineMetrics, toViewerVerdicts } from '../../src/extension/traceViewer/analysis';
import { spanMatcher } from '../../src/extension/traceViewer/search';
import { TraceSession } from '../../src/extension/traceViewer/session';
import { loadOutline } from '../../src/core/trace/outlineLoad';
import { renderViewerHtml } from '../../src/extension/traceViewer/html';
import { jsonForScriptElement } from '../../src/extension/webviewHtml';
import { recentTraces, traceTarget, viewerInput, workspaceOfStoredTrace } from '../../src/extension/traceViewer/traceSources';
import { HostMessage, InitialState, STATUS, type TraceSourceRef } from '../../src/shared/traceViewerProtocol';
import { TraceStore } from '../../src/core/trace/store';
import { saveReport } from '../../src/core/run/runStore';
import type { RunReport } from '../../src/core/run/protocol';
import type { Artifact, Trace } from '../../src/core/trace/model';
import { HOSTILE, spanId, storyTrace, storyVerdicts } from '../webview/fixtures';
import { asSent, decodeSkeleton, openTestViewer, SOURCE_WORKER, storeTrace } from '../support/traceViewer';

describe('trace viewer skeleton', () => {
  it('orders spans parent-first with siblings by start time, and keeps orphans as roots', () => {
    const trace = storyTrace();
    // Shuffle the input and orphan one span: the skeleton must not depend on file order.
    trace.spans.reverse();
    trace.spans.push({ ...trace.spans[0]!, spanId: 'ffffffffffffffff', parentId: 'eeeeeeeeeeeeeeee', name: 'orphan' });
    const { skeleton } = indexTrace(trace);
    assert.deepEqual(skeleton.names, ['agent run', 'plan', 'read_logs', 'analyze', 'count errors', 'draft', 'write_report', 'final answer', 'orphan']);
    assert.deepEqual(skeleton.parents, [-1, 0, 0, 0, 3, 3, 3, 0, -1]);
    assert.equal(skeleton.status[6], STATUS.ERROR);
    assert.equal(skeleton.startMs[0], 0);
    assert.equal(skeleton.durMs[6], 900);
  });

  it('survives parent cycles and very deep nesting', () => {
    const trace = storyTrace();
    trace.spans = [
      { ...trace.spans[1]!, spanId: 'a'.repeat(16), parentId: 'b'.repeat(16) },
      { ...trace.spans[1]!, spanId: 'b'.repeat(16), parentId: 'a'.repeat(16) },
    ];
    assert.equal(indexTrace(trace).skeleton.ids.length, 2);
    const deep = storyTrace();
    deep.spans = Array.from({ length: 20_000 }, (_, i) => ({ ...deep.spans[1]!, spanId: spanId(i + 1), parentId: i === 0 ? null : spanId(i) }));
    assert.equal(indexTrace(deep).skeleton.parents[19_999], 19_998);
  });
});

describe('trace viewer analysis', () => {
  it('points at the earliest erroring span that has no erroring span below it', () => {
    const { skeleton, rowOf } = indexTrace(storyTrace());
    const rootCause = findRootCause(skeleton, toViewerVerdicts(storyVerdicts(), rowOf));
    assert.equal(skeleton.names[rootCause!.row], 'write_report');
  });

  it('falls back to the earliest span a failing judge cites when nothing errors', () => {
    const trace = storyTrace();
    for (const span of trace.spans) span.status = { code: 'OK' };
    const { skeleton, rowOf } = indexTrace(trace);
    const verdicts = toViewerVerdicts(storyVerdicts(), rowOf);
    assert.deepEqual(findRootCause(skeleton, verdicts), { row: rowOf.get(spanId(7)), reason: 'earliest span cited by failing judge "report.md is written"' });
    assert.equal(findRootCause(skeleton, verdicts.filter((v) => v.outcome === 'passed')), null);
  });

  it('maps cited span ids to rows and drops ids not in the trace', () => {
    const { rowOf } = indexTrace(storyTrace());
    const [v] = toViewerVerdicts([{ ...storyVerdicts()[0]!, spanIds: [spanId(7), 'deadbeefdeadbeef'] }], rowOf);
    assert.deepEqual(v!.rows, [6]);
  });

  it('counts tokens, model calls, tool calls and failures, and latency (from the outline)', async () => {
    const { file, outlineFile } = await storeTrace(storyTrace());
    const { outline } = await loadOutline(file, { outlineFile });
    const { info, totals } = outline.head;
    assert.deepEqual(outlineMetrics(info, totals), {
      spans: 8, errors: 2, totalTokens: 1610, inputTokens: 1220, outputTokens: 390,
      modelCalls: 3, toolCalls: 3, toolFailures: 1, latencyMs: 5000,
    });
    // Without a recorded duration, the extent of the spans.
    assert.equal(outlineMetrics({ ...info, executionDurationMs: 0 }, totals).latencyMs, 5000);
  });
});

describe('trace viewer search', () => {
  const spans = indexTrace(storyTrace()).spans;
  const rows = (query: string, regex = false, caseSensitive = false) => {
    const matches = spanMatcher({ query, regex, caseSensitive });
    assert.equal(typeof matches, 'function');
    return spans.flatMap((span, row) => ((matches as (s: typeof span) => boolean)(span) ? [row] : []));
  };
  it('finds text in names, inputs, outputs, attributes, status messages and events', () => {
    assert.deepEqual(rows('READ_LOGS'), [2]);
    assert.deepEqual(rows('READ_LOGS', false, true), []);
    assert.deepEqual(rows('logs/app.log'), [2]);
    assert.deepEqual(rows('gen_ai.request.model'), [1]);
    assert.deepEqual(rows('PermissionError'), [6]);
    assert.deepEqual(rows('^count|^draft', true), [4, 5]);
  });

  it('reports an invalid regular expression instead of throwing', () => {
    const outcome = spanMatcher({ query: '(oops', regex: true, caseSensitive: false });
    assert.match('error' in outcome ? outcome.error : '', /^Invalid regular expression/);
  });
});

describe('trace viewer controller', () => {
  let opened: Awaited<ReturnType<typeof openTestViewer>>;
  before(async () => {
    opened = await openTestViewer({ source: { kind: 'store', traceId: 'a'.repeat(32) }, trace: storyTrace(), verdicts: storyVerdicts(), revealSpanIds: [spanId(3)] });
  });
  after(async () => { await opened.session.close(); });
  const run = async (message: unknown) => {
    const posted: HostMessage[] = [];
    const logs: string[] = [];
    await opened.controller.handle(message, { post: (m) => posted.push(HostMessage.parse(m)), openArtifact: () => {}, log: (l) => logs.push(l) });
    return { posted, logs };
  };

  it('builds a valid initial state with verdict rows, root cause and rows to reveal', async () => {
    const state = InitialState.parse((await opened.controller.page()).state);
    assert.equal(state.title, 'summarize-logs — abcdef01');
    assert.deepEqual(state.verdicts.map((v) => v.rows), [[6], [2], []]);
    assert.deepEqual(state.reveal, [2]);
    assert.equal(state.metrics.spans, 8);
    assert.deepEqual(state.artifacts.map((a) => a.hasText), [true, false]);
    assert.equal(indexTrace(storyTrace()).skeleton.names[state.rootCause!.row], 'write_report');
  });

  it('answers every ready with the skeleton as checked binary columns, the rows of the stored trace', async () => {
    await opened.controller.page();
    for (let load = 0; load < 2; load++) {
      // The second `ready` is a hidden panel's page shown again: it needs the tree again.
      const { posted } = await run({ type: 'ready' });
      assert.equal(posted.length, 1);
      const message = posted[0]!;
      assert.equal(message.type, 'skeleton');
      if (message.type !== 'skeleton') return;
      assert.ok(message.skeleton.parents instanceof Int32Array && message.skeleton.startMs instanceof Float32Array);
      assert.deepEqual(decodeSkeleton(message.skeleton), asSent(indexTrace(storyTrace()).skeleton));
    }
  });

  it('answers span requests with the payload read from the file and ignores malformed messages', async () => {
    const { posted } = await run({ type: 'getSpan', row: 6 });
    const detail = posted[0]?.type === 'spanDetail' ? posted[0].detail : undefined;
    assert.equal(detail?.name, 'write_report');
    assert.deepEqual(detail?.inputs, { path: 'report.md', content: '# Report' });
    assert.equal(detail?.events[0]?.offsetMs, 4100);
    assert.equal(detail?.startMs, 3300);
    assert.equal(detail?.durMs, 900);
    assert.deepEqual((await run({ type: 'getSpan', row: 99 })).posted, [{ type: 'error', message: 'No span on row 99.' }]);
    const bad = await run({ type: 'getSpan', row: 'x' });
    assert.deepEqual(bad.posted, []);
    assert.match(bad.logs[0] ?? '', /malformed webview message/);
  });

  it('opens an artifact with its text read from the file', async () => {
    const opened2: Artifact[] = [];
    await opened.controller.handle({ type: 'openArtifact', path: 'notes.txt' }, { post: () => {}, openArtifact: (a) => opened2.push(a), log: () => {} });
    assert.equal(opened2[0]?.text, 'scratch notes');
    assert.deepEqual((await run({ type: 'openArtifact', path: 'nope' })).posted, [{ type: 'error', message: 'The trace has no artifact "nope".' }]);
  });
});

describe('trace viewer HTML', () => {
  it('embeds the state as JSON that cannot close its script element', () => {
    const json = jsonForScriptElement({ name: `${HOSTILE.script}</script><script>x()</script>\u2028` });
    assert.doesNotMatch(json, /<|>|\u2028/);
    assert.deepEqual(JSON.parse(json), { name: `${HOSTILE.script}</script><script>x()</script>\u2028` });
  });

  it('sets a strict content security policy with a nonce on the only script', async () => {
    const { controller, session } = await openTestViewer({ source: { kind: 'store', traceId: 'a'.repeat(32) }, trace: storyTrace(), verdicts: [] });
    const page = await controller.page();
    await session.close();
    const html = renderViewerHtml({ cspSource: 'https://res.example', scriptUri: 'https://res.example/v.js', styleUris: ['https://res.example/v.css'], page, nonce: 'N0NCE' });
    assert.match(html, /content="default-src 'none'; script-src 'nonce-N0NCE'; style-src https:\/\/res.example; font-src https:\/\/res.example; img-src https:\/\/res.example"/);
    assert.match(html, /<script nonce="N0NCE" src="https:\/\/res.example\/v.js"><\/script>/);
    assert.equal(html.match(/<script/g)?.length, 2, 'the JSON state element and the bundle');
    // The page carries the state without the tree (a message brings that, see the protocol).
    const json = /<script type="application\/json" id="costar-initial-state">([^<]*)<\/script>/.exec(html)![1]!;
    const state = InitialState.parse(JSON.parse(json));
    assert.equal(state.metrics.spans, 8);
    assert.ok(!('skeleton' in state) && !json.includes('write_report'), 'no span names in the page');
  });
});

describe('trace viewer trace sources (real files)', () => {
  async function workspace(): Promise<{ ws: string; current: Trace; older: Trace }> {
    const ws = mkdtempSync(path.join(tmpdir(), 'costar-viewer-'));
    const store = new TraceStore(ws);
    const older = storyTrace();
    older.info = { ...older.info, traceId: '1'.repeat(32), requestTime: 1 };
    older.spans = older.spans.slice(0, 3);
    const current = storyTrace();
    await store.put(older);
    await store.put(current);
    const report = (runId: string, traceId: string, startedAt: number, verdicts = storyVerdicts()): RunReport => ({
      runId, mode: 'run', workspaceDir: ws, startedAt,
      scenarios: [{ id: 'summarize-logs', file: 'a.scenario.yaml', line: 1, status: 'failed', traceId, durationMs: 1,
        attempts: [{ attempt: 1, status: 'failed', traceId, durationMs: 1, verdicts }] }],
      summary: { total: 1, passed: 0, failed: 1, error: 0, skipped: 0, durationMs: 1 },
    });
    await saveReport(ws, report('20240101-000000000-aaaaaa', older.info.traceId, 1, []));
    await saveReport(ws, report('20240102-000000000-bbbbbb', current.info.traceId, 2));
    return { ws, current, older };
  }

  const sessions: TraceSession[] = [];
  after(async () => { await Promise.all(sessions.map((s) => s.close())); });
  async function input(source: TraceSourceRef, ws: string | undefined) {
    const target = await traceTarget(source, ws);
    const session = await TraceSession.open(target.file, { workerFile: SOURCE_WORKER, ...(target.outlineFile ? { outlineFile: target.outlineFile } : {}) });
    sessions.push(session);
    return viewerInput(source, target, session, ws);
  }

  it('finds the verdicts of the run that recorded the trace and the previous run for comparison', async () => {
    const { ws, current } = await workspace();
    const input1 = await input({ kind: 'store', traceId: current.info.traceId }, ws);
    assert.equal(input1.runId, '20240102-000000000-bbbbbb');
    assert.deepEqual(input1.verdicts.map((v) => v.judge), ['report-exists', 'reads-logs-first', 'tone']);
    assert.equal(input1.previous?.runId, '20240101-000000000-aaaaaa');
    assert.equal(input1.previous?.metrics.spans, 3);
  });

  it('opens a stored trace file by path and finds its workspace from the path', async () => {
    const { ws, current } = await workspace();
    const file = new TraceStore(ws).path(current.info.traceId);
    assert.equal(workspaceOfStoredTrace(file), ws);
    const opened = await input({ kind: 'file', uri: file }, undefined);
    assert.equal(opened.session.spans, 8);
    assert.equal(opened.verdicts.length, 3);
    assert.equal(opened.storeWorkspace, ws);
  });

  it('says what to do when the trace is not stored', async () => {
    const { ws } = await workspace();
    await assert.rejects(traceTarget({ kind: 'store', traceId: '9'.repeat(32) }, ws), /is not in .*traces\. Run the scenario again/);
    await assert.rejects(traceTarget({ kind: 'store', traceId: '9'.repeat(32) }, undefined), /open the workspace folder/);
  });

  it('lists recent scenario results first, then other stored traces', async () => {
    const { ws } = await workspace();
    const extra = storyTrace();
    extra.info = { ...extra.info, traceId: '2'.repeat(32), metadata: {}, requestPreview: 'imported one' };
    await new TraceStore(ws).put(extra);
    const list = await recentTraces(ws);
    assert.deepEqual(list.map((t) => [t.traceId[0], t.label]), [['a', 'summarize-logs'], ['1', 'summarize-logs'], ['2', 'imported one']]);
  });
});
