/**
 * A trace open in the viewer (issue 19): the outline built in the worker thread for a file
 * without one, span details read on demand from their byte range, search streamed in batches
 * and cancelled by a newer query, and everything released when the trace's last panel closes.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { toMlflowJson } from '../../src/core/trace/mlflow';
import { outlinePathOf } from '../../src/core/trace/outline';
import { loadOutline } from '../../src/core/trace/outlineLoad';
import type { Trace } from '../../src/core/trace/model';
import type { HostMessage } from '../../src/shared/traceViewerProtocol';
import { MAX_SEARCH_RESULTS, rawNeedle, searchFile, spanMatcher } from '../../src/extension/traceViewer/search';
import { TraceSession, TraceSessions } from '../../src/extension/traceViewer/session';
import { TraceViewerController } from '../../src/extension/traceViewer/controller';
import { decodeSkeleton, SOURCE_WORKER, storeTrace } from '../support/traceViewer';
import type { SkeletonColumns } from '../../src/shared/skeletonColumns';
import { TraceBuilder } from '../support/traceBuilder';
import { storyTrace } from '../webview/fixtures';

/** `n` spans under one root, each with a payload naming its number. */
function numberedTrace(n: number): Trace {
  const b = new TraceBuilder();
  const root = b.span({ name: 'agent', spanType: 'AGENT', durationMs: n + 1 });
  for (let i = 1; i < n; i++) b.span({ parent: root, name: `step ${i}`, startMs: i, inputs: { question: `question number ${i}` }, outputs: 'x'.repeat(200) });
  return b.build();
}

const sessions: TraceSession[] = [];
after(async () => { await Promise.all(sessions.map((s) => s.close())); });

async function openSession(file: string, outlineFile?: string, onProgress?: (read: number, total: number) => void): Promise<TraceSession> {
  const session = await TraceSession.open(file, { workerFile: SOURCE_WORKER, ...(outlineFile ? { outlineFile } : {}), ...(onProgress ? { onProgress } : {}) });
  sessions.push(session);
  return session;
}

describe('trace viewer session', () => {
  it('builds the outline of a file without one in the worker, reporting progress, and writes nothing beside it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'costar-session-'));
    const file = path.join(dir, 'exported.trace.json');
    writeFileSync(file, JSON.stringify(toMlflowJson(storyTrace())));
    const progress: number[] = [];
    const session = await openSession(file, undefined, (read) => progress.push(read));
    assert.equal(session.built, true);
    assert.equal(session.spans, 8);
    assert.equal(progress.at(-1), statSync(file).size, 'progress reached the end of the file');
    assert.equal(existsSync(outlinePathOf(file)), false);
    assert.equal((await session.detail(6))?.name, 'write_report');
  });

  it('sends a preview of the first spans read while a scan has more to read, once, and the panel that joins late gets it too', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'costar-session-'));
    const file = path.join(dir, 'big.trace.json');
    // ≈ 12 MB: three of the scanner's 4 MB chunks, so the preview comes after the first.
    writeFileSync(file, JSON.stringify(toMlflowJson(numberedTrace(40_000))));
    const registry = new TraceSessions(SOURCE_WORKER);
    const previews: SkeletonColumns[] = [];
    const late: SkeletonColumns[] = [];
    let joined: Promise<TraceSession> | undefined;
    const first = registry.acquire(file, {
      onPreview: (skeleton) => {
        previews.push(skeleton);
        joined ??= registry.acquire(file, { onPreview: (s) => late.push(s) });
      },
    });
    const session = await first;
    await joined;
    after(() => registry.closeAll());
    assert.equal(previews.length, 1, 'one preview');
    const preview = decodeSkeleton(previews[0]!);
    assert.ok(preview.parents.length > 0 && preview.parents.length < session.spans, `a part of the trace: ${preview.parents.length} of ${session.spans} rows`);
    assert.equal(preview.names[0], 'agent');
    assert.equal(preview.parents.filter((p) => p === -1).length, 1, 'the first spans hang under their root');
    assert.deepEqual(preview.names.slice(1, 3), ['step 1', 'step 2']);
    assert.equal(late.length, 1, 'the late panel got the same preview');
    assert.equal(late[0], previews[0]);

    // A file read in one chunk has nothing to preview: its viewer comes at once.
    const small = path.join(dir, 'small.trace.json');
    writeFileSync(small, JSON.stringify(toMlflowJson(storyTrace())));
    const none: SkeletonColumns[] = [];
    sessions.push(await TraceSession.open(small, { workerFile: SOURCE_WORKER, onPreview: (s) => none.push(s) }));
    assert.equal(none.length, 0);
  });

  it('reads a stored outline (no build) and warns about a damaged one it rebuilt', async () => {
    const { file, outlineFile } = await storeTrace(storyTrace());
    assert.equal((await openSession(file, outlineFile)).built, false);
    writeFileSync(outlineFile, 'garbage');
    const repaired = await openSession(file, outlineFile);
    assert.equal(repaired.built, true);
    assert.match(repaired.warnings.join('\n'), /not valid JSON .*; rebuilding it/);
  });

  it('reads a span\'s detail on demand from its byte range in the file, and refuses once the file changed', async () => {
    const { file, outlineFile } = await storeTrace(storyTrace());
    const session = await openSession(file, outlineFile);
    const detail = await session.detail(6);
    assert.equal(detail?.name, 'write_report');
    assert.deepEqual(detail?.inputs, { path: 'report.md', content: '# Report' });
    // Nothing of the spans was kept at open: with the file moved away there is no detail, and
    // with it back there is again.
    renameSync(file, `${file}.away`);
    await assert.rejects(session.detail(6), /ENOENT/);
    renameSync(`${file}.away`, file);
    assert.equal((await session.detail(2))?.name, 'read_logs');
    assert.equal(await session.detail(999), undefined);
    // Byte positions are only true of the file they were taken from.
    const { mtime, atime } = statSync(file);
    utimesSync(file, atime, new Date(mtime.getTime() + 1000));
    await assert.rejects(session.detail(2), /changed on disk since it was opened/);
  });

  it('streams search results batch by batch through the file and stops when cancelled', async () => {
    const trace = numberedTrace(60);
    const { file, outlineFile } = await storeTrace(trace);
    const outline = (await loadOutline(file, { outlineFile })).outline.toOutline();
    const fileOrder = Int32Array.from(outline.ids.keys()).sort((a, b) => outline.byteStart[a]! - outline.byteStart[b]!);
    const ranges = { fileOrder, byteStart: outline.byteStart, byteEnd: outline.byteEnd };
    const matcher = spanMatcher({ query: 'QUESTION number', regex: false, caseSensitive: false });
    assert.equal(typeof matcher, 'function');
    const match = matcher as Exclude<typeof matcher, { error: string }>;

    const batches: number[][] = [];
    // Batches of at most one span's bytes: one batch per matching span.
    const all = await searchFile(file, ranges, match, { rows: (rows) => batches.push(rows), cancelled: () => false }, undefined, 1);
    assert.deepEqual(all, { truncated: false });
    assert.equal(batches.length, 59);
    assert.deepEqual(batches.flat().sort((a, b) => a - b), outline.names.flatMap((n, row) => (n.startsWith('step') ? [row] : [])));

    const cut: number[][] = [];
    const outcome = await searchFile(file, ranges, match, { rows: (rows) => cut.push(rows), cancelled: () => cut.length >= 3 }, undefined, 1);
    assert.equal(outcome, undefined, 'a cancelled search reports no outcome');
    assert.equal(cut.length, 3, 'nothing more was read once cancelled');
  });

  it('skips spans whose raw bytes cannot hold a plain-text query, finding exactly what a full scan finds', async () => {
    const b = new TraceBuilder();
    const root = b.span({ name: 'agent', spanType: 'AGENT', durationMs: 50 });
    for (let i = 1; i < 40; i++) b.span({ parent: root, name: `Step ${i}`, startMs: i, inputs: { q: `Question Number ${i}`, n: [i, i + 1] }, attributes: { 'tool.kind': i % 2 ? 'Read' : 'write' } });
    const { file, outlineFile } = await storeTrace(b.build());
    const outline = (await loadOutline(file, { outlineFile })).outline.toOutline();
    const fileOrder = Int32Array.from(outline.ids.keys()).sort((x, y) => outline.byteStart[x]! - outline.byteStart[y]!);
    const ranges = { fileOrder, byteStart: outline.byteStart, byteEnd: outline.byteEnd };
    const found = async (query: string, caseSensitive: boolean, withNeedle: boolean) => {
      const q = { query, regex: false, caseSensitive };
      const rows: number[] = [];
      await searchFile(file, ranges, spanMatcher(q) as (s: unknown) => boolean, { rows: (r) => rows.push(...r), cancelled: () => false }, withNeedle ? rawNeedle(q) : undefined, 300);
      return rows.sort((x, y) => x - y);
    };
    for (const query of ['question number 3', 'Question Number 3', 'step 1', 'READ', 'write', 'tool.kind', 'agent', 'nothing here']) {
      for (const caseSensitive of [false, true]) {
        assert.ok(rawNeedle({ query, regex: false, caseSensitive }), query);
        assert.deepEqual(await found(query, caseSensitive, true), await found(query, caseSensitive, false), `${query} (case ${caseSensitive})`);
      }
    }
    assert.ok((await found('step 1', false, true)).length > 5);
    // Text whose bytes differ between JSON writers is always searched span by span.
    for (const query of ['a"b', 'tool.kind: Read', '3,4', 'ünï', '<b>']) assert.equal(rawNeedle({ query, regex: false, caseSensitive: false }), undefined, query);
    assert.equal(rawNeedle({ query: 'step', regex: true, caseSensitive: false }), undefined);
  });

  it('a newer query supersedes the running one: only its results reach the webview, ending with done', async () => {
    const { file, outlineFile } = await storeTrace(numberedTrace(400));
    const session = await openSession(file, outlineFile);
    const controller = new TraceViewerController({ source: { kind: 'file', uri: file }, session, verdicts: [] });
    const posted: HostMessage[] = [];
    let finished!: () => void;
    const done = new Promise<void>((resolve) => { finished = resolve; });
    const effects = { post: (m: HostMessage) => { posted.push(m); if (m.type === 'searchResults' && m.done && m.requestId === 2) finished(); }, openArtifact: () => {}, log: () => {} };
    await controller.handle({ type: 'search', requestId: 1, query: 'question', regex: false, caseSensitive: false }, effects);
    await controller.handle({ type: 'search', requestId: 2, query: 'question number 399"', regex: false, caseSensitive: false }, effects);
    await done;
    const results = posted.filter((m): m is Extract<HostMessage, { type: 'searchResults' }> => m.type === 'searchResults');
    assert.deepEqual(results.filter((m) => m.requestId === 1), [], 'the superseded search posted nothing');
    assert.deepEqual(results.flatMap((m) => m.rows), [399]);
    assert.equal(results.at(-1)?.done, true);

    // An invalid regex says so, done at once.
    const answers: HostMessage[] = [];
    await new Promise<void>((resolve) => void controller.handle({ type: 'search', requestId: 3, query: '(oops', regex: true, caseSensitive: false }, {
      post: (m) => { answers.push(m); if (m.type === 'searchResults' && m.done) resolve(); }, openArtifact: () => {}, log: () => {},
    }));
    assert.match(answers[0]?.type === 'searchResults' ? answers[0].error ?? '' : '', /^Invalid regular expression/);
  });

  it('caps the results and says so', async () => {
    const { file, outlineFile } = await storeTrace(numberedTrace(MAX_SEARCH_RESULTS + 50));
    const session = await openSession(file, outlineFile);
    const batches: { rows: number[]; done: boolean; truncated: boolean }[] = [];
    await new Promise<void>((resolve) => session.search({ query: 'question', regex: false, caseSensitive: false }, (batch) => {
      batches.push(batch);
      if (batch.done) resolve();
    }));
    assert.equal(batches.flatMap((b) => b.rows).length, MAX_SEARCH_RESULTS);
    assert.equal(batches.at(-1)?.truncated, true);
  });

  it('shares one session among the panels of a trace and releases worker and temp copy with the last', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'costar-session-otlp-'));
    const file = path.join(dir, 'spans.json');
    writeFileSync(file, readFileSync(path.join(__dirname, '../fixtures/traces/otlp-uppercase.json')));
    const registry = new TraceSessions(SOURCE_WORKER);
    const [a, b] = await Promise.all([registry.acquire(file), registry.acquire(file)]);
    assert.equal(a, b, 'one worker per trace, not per panel');
    const tempDir = a.summary.tempDir!;
    assert.ok(existsSync(tempDir), 'an OTLP file is read from a private copy');
    let exited = false;
    void a.exited.then(() => { exited = true; });

    await registry.release(file);
    assert.deepEqual(registry.open, [file], 'still open for the second panel');
    assert.ok((await a.detail(0))?.spanId);

    await registry.release(file);
    await a.exited;
    assert.equal(exited, true, 'the worker thread ended');
    assert.deepEqual(registry.open, []);
    assert.equal(existsSync(tempDir), false, 'the temp copy is gone');
    await assert.rejects(a.rowsOf(['x']), /closed/);
    // Opening it again starts afresh.
    const c = await registry.acquire(file);
    assert.notEqual(c, a);
    await registry.closeAll();
    await c.exited;
  });
});
