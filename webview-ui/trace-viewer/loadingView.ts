/**
 * The viewer while a trace file is read for the first time: the file's name, how far the read
 * got, and the first spans read as a tree (read-only: details and search come with the whole
 * trace, when the host replaces this page with the viewer's).
 */
import type { HostChannel } from '../shared/vscodeApi';
import type { HostMessage, LoadingState, Skeleton, WebviewMessage } from '../../src/shared/traceViewerProtocol';
import { h } from '../shared/dom';
import { TreeModel } from './treeModel';
import { TreeView } from './treeView';

const PREVIEW_DEPTH = 2;

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(0)} MB`;

export function showLoading(app: HTMLElement, state: LoadingState, channel: HostChannel<HostMessage, WebviewMessage>): void {
  const status = h('p', { className: 'loading', role: 'status', attrs: { 'data-costar-loading': '' }, text: 'Reading the trace for the first time…' });
  const bar = h('progress', { className: 'loading-bar', attrs: { 'aria-label': 'Read so far' } });
  const body = h('div', { className: 'main' });
  app.replaceChildren(h('div', { className: 'metrics-header' }, [h('div', { className: 'title-line' }, [h('h1', { text: state.title })])]), status, bar, body);
  let previewed = 0;
  let read = '';
  const say = () => {
    status.textContent = previewed
      ? `Showing the first ${previewed.toLocaleString('en')} span${previewed === 1 ? '' : 's'} while the rest is read${read}. Details and search open when the whole trace is read.`
      : `Reading the trace for the first time${read}…`;
  };
  channel.listen((message) => {
    if (message.type === 'progress') {
      read = `: ${mb(message.bytesRead)} of ${mb(message.totalBytes)}`;
      bar.max = Math.max(1, message.totalBytes);
      bar.value = message.bytesRead;
      say();
    } else if (message.type === 'preview' && !previewed) {
      previewed = message.skeleton.size;
      const tree = previewTree(message.skeleton);
      // In the page before the first render: the window of rows is cut to the tree's height.
      body.append(tree.element);
      tree.renderNow();
      say();
    }
  }, (problem) => {
    status.textContent = `Ignored a malformed message from the extension: ${problem}`;
  });
  channel.post({ type: 'ready' });
}

function previewTree(s: Skeleton): TreeView {
  const model = new TreeModel(s.parents);
  model.expandToDepth(PREVIEW_DEPTH);
  let totalMs = 0;
  for (let row = 0; row < s.size; row++) totalMs = Math.max(totalMs, s.startMs[row]! + s.durMs[row]!);
  return new TreeView(s, model, { citedOutcome: () => undefined, isRootCause: () => false, matchState: () => 0 }, totalMs);
}
