/**
 * Opens a trace in the viewer's host side the way the extension does: stored in a temp
 * workspace's trace store (outline beside it), a session with its real worker thread, and a
 * controller. Unit tests run the worker from source; webview tests and the bench from the
 * bundle (`dist/traceWorker.js`, needs `npm run build`).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Trace } from '../../src/core/trace/model';
import { TraceStore } from '../../src/core/trace/store';
import { outlinePathOf } from '../../src/core/trace/outline';
import { TraceSession, TraceSessions } from '../../src/extension/traceViewer/session';
import { TraceViewerController, type ViewerInput } from '../../src/extension/traceViewer/controller';
import { REPO_ROOT } from './workspace';
import { Names, type SkeletonColumns, type SkeletonRows } from '../../src/shared/skeletonColumns';

export const SOURCE_WORKER = path.join(__dirname, 'traceWorker.cjs');
export const BUILT_WORKER = path.join(REPO_ROOT, 'dist', 'traceWorker.js');

/** Stores `trace` in a fresh temp workspace; returns the workspace and the trace file. */
export async function storeTrace(trace: Trace): Promise<{ ws: string; file: string; outlineFile: string }> {
  const ws = mkdtempSync(path.join(tmpdir(), 'costar-viewer-'));
  const file = await new TraceStore(ws).put(trace);
  return { ws, file, outlineFile: outlinePathOf(file) };
}

export type TestViewerInput = Omit<ViewerInput, 'session'> & { trace: Trace };

/** A controller over a real session of `input.trace`; close the session when done. */
export async function openTestViewer(input: TestViewerInput, workerFile = SOURCE_WORKER): Promise<{ controller: TraceViewerController; session: TraceSession; file: string }> {
  const { trace, ...rest } = input;
  const { file, outlineFile } = await storeTrace(trace);
  const session = await TraceSession.open(file, { workerFile, outlineFile });
  return { controller: new TraceViewerController({ ...rest, session }), session, file };
}

export { TraceSessions };

/** The skeleton's binary columns back as plain arrays, to compare with indexTrace's rows (times rounded as sent). */
export function decodeSkeleton(s: SkeletonColumns): Omit<SkeletonRows, 'ids'> {
  const names = new Names(s.names);
  return { parents: [...s.parents], names: Array.from({ length: s.size }, (_, row) => names.at(row)), types: [...s.types], status: [...s.status], startMs: [...s.startMs], durMs: [...s.durMs] };
}

/** indexTrace's rows as the page gets them: no span ids, times in single precision. */
export function asSent(rows: SkeletonRows): Omit<SkeletonRows, 'ids'> {
  const { ids: _ids, ...rest } = rows;
  return { ...rest, startMs: rest.startMs.map(Math.fround), durMs: rest.durMs.map(Math.fround) };
}
