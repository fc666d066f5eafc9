/**
 * The trace viewer's loading page in Chromium, as the host puts it up while a trace file is read
 * for the first time: progress in words and a bar, then the first spans read as a tree, with
 * the file name (hostile here) shown as text. Needs `npm run build` first.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderLoadingViewerHtml } from '../../src/extension/traceViewer/html';
import { encodeSkeleton } from '../../src/shared/skeletonColumns';
import { HOSTILE } from './fixtures';
import { eventually } from './eventually';
import { startWebviewHost, type WebviewHost } from './webviewHost';

describe('trace viewer loading page', () => {
  let host: WebviewHost;
  before(async () => { host = await startWebviewHost(); });
  after(async () => { await host.close(); });

  it('shows how far the read got, then the first spans as rows, and says what waits for the rest', async () => {
    const title = `${HOSTILE.script}${HOSTILE.img}.trace.json`;
    const url = host.addPage('loading', renderLoadingViewerHtml({
      cspSource: host.origin, scriptUri: `${host.origin}/webview/trace-viewer.js`, styleUris: [`${host.origin}/webview/trace-viewer.css`],
      state: { loading: true, source: { kind: 'file', uri: 'file:///tmp/x.trace.json' }, title },
    }));
    const posted: unknown[] = [];
    const stub = await host.newPage({ viewport: { width: 1000, height: 700 }, onPost: (m) => posted.push(m) });
    const { page, errors, requests } = stub;
    await page.goto(url);
    await eventually(async () => posted, [{ type: 'ready' }] as unknown[], 'the page asks for what it shows');
    assert.equal(await page.locator('h1').innerText(), title, 'the file name is text');

    await stub.send({ type: 'progress', bytesRead: 4 * 1048576, totalBytes: 409 * 1048576 });
    await eventually(() => page.locator('[data-costar-loading]').innerText(), 'Reading the trace for the first time: 4 MB of 409 MB…');
    assert.equal(await page.locator('progress').evaluate((p: HTMLProgressElement) => p.value / p.max), 4 / 409);

    const names = ['agent', 'step_1', 'chat gpt-4o', 'read_file', 'step_2'];
    await stub.send({ type: 'preview', skeleton: encodeSkeleton({ parents: [-1, 0, 1, 1, 0], names, types: [1, 2, 4, 5, 2], status: [0, 0, 0, 2, 0], startMs: [0, 1, 1.5, 2, 3], durMs: [10, 1.5, 0.5, 0.5, 2] }) });
    const rows = page.locator('.row[role="treeitem"]:not([hidden]) .name');
    await eventually(() => rows.allInnerTexts(), names, 'two levels open, as the viewer opens a trace');
    await stub.send({ type: 'progress', bytesRead: 200 * 1048576, totalBytes: 409 * 1048576 });
    await eventually(() => page.locator('[data-costar-loading]').innerText(), 'Showing the first 5 spans while the rest is read: 200 MB of 409 MB. Details and search open when the whole trace is read.');
    assert.equal(await page.locator('.search-bar').count(), 0, 'no search on a part of the trace');
    assert.equal(await page.locator('.row.error').count(), 1, 'the erroring span is marked');

    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((r) => !r.startsWith(host.origin)), []);
  });
});
