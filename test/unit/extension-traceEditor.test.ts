/**
 * The trace viewer's custom editor against a small fake of the editor's webview API (the real
 * session, worker — dist/traceWorker.js, `npm run build` first — and outline cache): what the
 * panel shows, in order, while a *.trace.json is read for the first time. VS Code shows a
 * custom editor's webview only once resolveCustomEditor returns, so it must return before the
 * trace is open; the log is what a person sees and what the page is told.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type * as vscodeTypes from 'vscode';
import { registerTraceViewer, TRACE_EDITOR_VIEW_TYPE } from '../../src/extension/traceViewer/index';
import type { VSCode } from '../../src/extension/vscodeApi';
import { toMlflowJson } from '../../src/core/trace/mlflow';
import { TraceBuilder } from '../support/traceBuilder';
import { REPO_ROOT } from '../support/workspace';
import { waitFor } from '../e2e/waitFor';

class Uri {
  private constructor(readonly scheme: string, readonly fsPath: string) {}
  static file(file: string): Uri {
    return new Uri('file', path.resolve(file));
  }
  static parse(text: string): Uri {
    return new Uri('file', decodeURIComponent(new URL(text).pathname));
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, path.join(base.fsPath, ...parts));
  }
  toString(): string {
    return `file://${this.fsPath}`;
  }
}

/** A webview panel that keeps a log: each page put up (by what it says) and each message posted. */
class FakePanel {
  readonly log: string[] = [];
  private listeners: ((m: unknown) => void)[] = [];
  private disposeListeners: (() => void)[] = [];
  title = '';
  html = '';
  readonly webview = {
    options: {},
    cspSource: 'https://res.test',
    asWebviewUri: (uri: Uri) => `https://res.test${uri.fsPath}`,
    onDidReceiveMessage: (listener: (m: unknown) => void) => {
      this.listeners.push(listener);
      return { dispose: () => { this.listeners = this.listeners.filter((l) => l !== listener); } };
    },
    postMessage: async (message: { type: string; bytesRead?: number; skeleton?: { size: number } }) => {
      this.log.push(`  ← ${message.type}${message.skeleton ? ` (${message.skeleton.size} rows)` : ''}`);
      return true;
    },
  };

  constructor() {
    const panel = this;
    Object.defineProperty(this.webview, 'html', {
      get: () => panel.html,
      set: (html: string) => {
        panel.html = html;
        const page = describePage(html);
        panel.log.push(`page: ${page}`);
        // A page with our script says `ready` once loaded, as the real one does.
        if (page === 'viewer' || page === 'loading page') setImmediate(() => panel.send({ type: 'ready' }));
      },
    });
  }

  onDidDispose(listener: () => void) {
    this.disposeListeners.push(listener);
    return { dispose: () => {} };
  }

  /** The page's script posting a message. */
  send(message: unknown): void {
    for (const l of this.listeners) l(message);
  }

  dispose(): void {
    for (const l of this.disposeListeners) l();
  }
}

function describePage(html: string): string {
  const state = /<script type="application\/json" id="costar-initial-state">([^<]*)<\/script>/.exec(html)?.[1];
  if (state) return 'loading' in JSON.parse(state) ? 'loading page' : 'viewer';
  return /<p[^>]*>([^<]*)<\/p>/.exec(html)?.[1] ?? 'static page';
}

function fakeVscode(registered: { editor?: vscodeTypes.CustomReadonlyEditorProvider }): VSCode {
  const disposable = { dispose: () => {} };
  return {
    Uri,
    ViewColumn: { Active: -1, Beside: -2 },
    window: {
      registerCustomEditorProvider: (_viewType: string, provider: vscodeTypes.CustomReadonlyEditorProvider) => {
        registered.editor = provider;
        return disposable;
      },
      registerWebviewPanelSerializer: () => disposable,
    },
    commands: { registerCommand: () => disposable },
    workspace: { registerTextDocumentContentProvider: () => disposable },
  } as unknown as VSCode;
}

describe('trace viewer custom editor (fake editor API)', () => {
  it('returns from resolveCustomEditor at once, then shows Opening → loading page with the first spans → the viewer', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'costar-trace-editor-'));
    const file = path.join(dir, 'export.trace.json');
    const b = new TraceBuilder();
    const root = b.span({ name: 'agent', spanType: 'AGENT', durationMs: 30_001 });
    for (let i = 1; i < 30_000; i++) b.span({ parent: root, name: `step ${i}`, startMs: i, outputs: 'x'.repeat(300) });
    // ≈ 15 MB: four of the scanner's 4 MB chunks, so there is a preview.
    writeFileSync(file, JSON.stringify(toMlflowJson(b.build())));

    const registered: { editor?: vscodeTypes.CustomReadonlyEditorProvider } = {};
    const context = { extensionUri: Uri.file(REPO_ROOT), globalStorageUri: Uri.file(path.join(dir, 'global')) } as unknown as vscodeTypes.ExtensionContext;
    const logs: string[] = [];
    const disposables = registerTraceViewer(fakeVscode(registered), context, { workspaceDir: () => undefined, log: (m) => logs.push(m) });
    const provider = registered.editor!;
    assert.ok(provider, `${TRACE_EDITOR_VIEW_TYPE} is registered`);

    const panel = new FakePanel();
    const document = await provider.openCustomDocument(Uri.file(file) as unknown as vscodeTypes.Uri, {} as vscodeTypes.CustomDocumentOpenContext, {} as vscodeTypes.CancellationToken);
    const resolved: unknown = provider.resolveCustomEditor(document, panel as unknown as vscodeTypes.WebviewPanel, {} as vscodeTypes.CancellationToken);
    try {
      assert.equal(resolved, undefined, 'nothing to wait for: the editor shows the webview at once');
      await showsLoadingThenViewer(panel, dir, logs);
    } finally {
      // Even when it failed: let the opening end, then close its panel and session (worker).
      await resolved;
      await waitFor('the opening to end', () => panel.log.some((l) => l.startsWith('page: viewer') || l.startsWith('page: coSTAR cannot')), 60_000, 20);
      panel.dispose();
      for (const d of disposables) d.dispose();
    }
  });
});

describe('trace viewer custom editor when the tab is gone', () => {
  it('reports a failure before the opening started instead of leaving an unhandled rejection', async () => {
    const registered: { editor?: vscodeTypes.CustomReadonlyEditorProvider } = {};
    const context = { extensionUri: Uri.file(REPO_ROOT), globalStorageUri: Uri.file(mkdtempSync(path.join(tmpdir(), 'costar-trace-editor-'))) } as unknown as vscodeTypes.ExtensionContext;
    const logs: string[] = [];
    const disposables = registerTraceViewer(fakeVscode(registered), context, { workspaceDir: () => undefined, log: (m) => logs.push(m) });
    // What VS Code does with a webview whose tab was closed: every setter throws.
    const gone = { webview: {}, onDidDispose: () => ({ dispose: () => {} }) };
    for (const name of ['options', 'html']) Object.defineProperty(gone.webview, name, { set: () => { throw new Error('Webview is disposed'); } });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      registered.editor!.resolveCustomEditor({ uri: Uri.file('/nowhere/x.trace.json') } as unknown as vscodeTypes.CustomDocument, gone as unknown as vscodeTypes.WebviewPanel, {} as vscodeTypes.CancellationToken);
      await waitFor('the failure logged', () => logs.length > 0, 10_000, 10);
      assert.deepEqual(logs, ['coSTAR cannot show this trace: Webview is disposed']);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      for (const d of disposables) d.dispose();
    }
  });
});

async function showsLoadingThenViewer(panel: FakePanel, dir: string, logs: string[]): Promise<void> {
    await waitFor('the viewer with its tree', () => panel.log.includes('page: viewer') && panel.log.at(-1)?.startsWith('  ← skeleton'), 60_000, 20);
    const log = panel.log;
    const viewerAt = log.indexOf('page: viewer');
    assert.deepEqual(log.slice(0, 2), ['page: Opening the trace…', 'page: loading page'], log.join('\n'));
    // While the scan goes on: progress, and the preview once (before or after the first
    // progress, as the page's `ready` falls).
    const loading = log.slice(2, viewerAt);
    assert.deepEqual(loading.filter((l) => !l.startsWith('  ← progress')), ['  ← preview (6080 rows)'], log.join('\n'));
    assert.ok(loading.length >= 2, 'progress reached the page');
    assert.deepEqual(log.slice(viewerAt), ['page: viewer', '  ← skeleton (30000 rows)'], log.join('\n'));
    assert.deepEqual(logs, [], 'a first opening logs no warning');
    assert.ok(existsSync(path.join(dir, 'global', 'outlines')), 'the outline went to the outline cache');
}
