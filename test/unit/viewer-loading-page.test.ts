/**
 * The viewer's loading page while a trace file is read for the first time: put up on the first
 * report only, messages only after the page is ready, everything again to a page that reloads,
 * nothing to a closed panel.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoadingPage, type LoadingWebview } from '../../src/extension/traceViewer/loadingPage';
import { checkedHostMessage } from '../../src/extension/traceViewer/controller';
import { encodeSkeleton } from '../../src/shared/skeletonColumns';
import type { HostMessage } from '../../src/shared/traceViewerProtocol';

class FakeWebview implements LoadingWebview {
  htmlSet = 0;
  posted: HostMessage[] = [];
  private listeners: ((m: unknown) => void)[] = [];
  set html(_value: string) {
    this.htmlSet++;
  }
  get html(): string {
    return '';
  }
  postMessage(message: unknown): Thenable<boolean> {
    this.posted.push(message as HostMessage);
    return Promise.resolve(true);
  }
  onDidReceiveMessage(listener: (m: unknown) => void) {
    this.listeners.push(listener);
    return { dispose: () => { this.listeners = this.listeners.filter((l) => l !== listener); } };
  }
  receive(message: unknown): void {
    for (const l of this.listeners) l(message);
  }
}

const preview = encodeSkeleton({ parents: [-1, 0], names: ['agent', 'step'], types: [1, 2], status: [0, 0], startMs: [0, 1], durMs: [5, 1] });
const log = (w: FakeWebview) => w.posted.map((m) => (m.type === 'progress' ? `progress ${m.bytesRead}/${m.totalBytes}` : m.type === 'preview' ? `preview ${m.skeleton.size} rows` : m.type));

describe('trace viewer loading page', () => {
  it('comes up on the first report and talks to the page only once it is ready, and again after a reload', () => {
    const webview = new FakeWebview();
    const page = new LoadingPage(webview, () => '<html>', checkedHostMessage, () => false);
    assert.equal(webview.htmlSet, 0, 'no page for an opening that needs no scan');
    page.onProgress(10, 100);
    page.onPreview(preview);
    page.onProgress(20, 100);
    assert.equal(webview.htmlSet, 1);
    assert.deepEqual(log(webview), [], 'nothing before ready');
    webview.receive({ type: 'ready' });
    assert.deepEqual(log(webview), ['progress 20/100', 'preview 2 rows']);
    page.onProgress(30, 100);
    webview.receive({ type: 'getSpan', row: 0 }); // not the loading page's business
    webview.receive({ type: 'ready' }); // the page was rebuilt (hidden and shown again)
    assert.deepEqual(log(webview).slice(2), ['progress 30/100', 'progress 30/100', 'preview 2 rows']);
    assert.equal(webview.htmlSet, 1);
    page.dispose();
    webview.receive({ type: 'ready' });
    assert.equal(webview.posted.length, 5, 'disposed: no longer listening');
  });

  it('does nothing for a panel that was closed', () => {
    const webview = new FakeWebview();
    const page = new LoadingPage(webview, () => '<html>', checkedHostMessage, () => true);
    page.onProgress(10, 100);
    page.onPreview(preview);
    assert.equal(webview.htmlSet, 0);
  });

  it('checks what it posts', () => {
    const webview = new FakeWebview();
    const page = new LoadingPage(webview, () => '<html>', checkedHostMessage, () => false);
    webview.receive({ type: 'ready' });
    page.onProgress(1, 2);
    webview.receive({ type: 'ready' });
    const broken = encodeSkeleton({ parents: [0], names: ['x'], types: [0], status: [0], startMs: [0], durMs: [0] });
    assert.throws(() => page.onPreview(broken), /parent 0 is not an earlier row/);
  });
});
