/**
 * The viewer's page while a trace file is read for the first time (no outline yet; a scan of a
 * 400 MB file takes seconds): shown on the first progress report, it gets how far the scan got
 * and, once, a preview of the first spans read, so rows are on screen within the first chunk.
 * Messages go out only after the page said `ready`, and again to a page that reloads (a hidden
 * panel's page is rebuilt when shown). No `vscode` import: the webview is passed in.
 */
import type { HostMessage } from '../../shared/traceViewerProtocol';
import type { SkeletonColumns } from '../../shared/skeletonColumns';

export interface LoadingWebview {
  html: string;
  postMessage(message: unknown): Thenable<boolean>;
  onDidReceiveMessage(listener: (message: unknown) => void): { dispose(): void };
}

export class LoadingPage {
  private subscription: { dispose(): void } | undefined;
  private ready = false;
  private progress: { bytesRead: number; totalBytes: number } | undefined;
  private preview: SkeletonColumns | undefined;

  constructor(
    private readonly webview: LoadingWebview,
    /** The loading page's HTML (renderLoadingViewerHtml). */
    private readonly html: () => string,
    /** Checks what is posted, as every host message is (checkedHostMessage). */
    private readonly check: (message: HostMessage) => HostMessage,
    private readonly disposed: () => boolean,
  ) {}

  onProgress(bytesRead: number, totalBytes: number): void {
    this.progress = { bytesRead, totalBytes };
    if (this.show() && this.ready) this.post({ type: 'progress', bytesRead, totalBytes });
  }

  onPreview(skeleton: SkeletonColumns): void {
    this.preview = skeleton;
    if (this.show() && this.ready) this.post({ type: 'preview', skeleton });
  }

  dispose(): void {
    this.subscription?.dispose();
    this.preview = undefined;
  }

  /** Puts the page up once; false when the panel is gone. */
  private show(): boolean {
    if (this.disposed()) return false;
    if (this.subscription) return true;
    this.subscription = this.webview.onDidReceiveMessage((message) => {
      if ((message as { type?: unknown } | null)?.type !== 'ready' || this.disposed()) return;
      this.ready = true;
      if (this.progress) this.post({ type: 'progress', ...this.progress });
      if (this.preview) this.post({ type: 'preview', skeleton: this.preview });
    });
    this.webview.html = this.html();
    return true;
  }

  private post(message: HostMessage): void {
    void this.webview.postMessage(this.check(message));
  }
}
