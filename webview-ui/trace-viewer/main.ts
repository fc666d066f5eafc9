/**
 * The trace viewer webview: reads the initial state the host embedded in the page and shows its
 * header at once, asks for the span tree (`ready` → a `skeleton` message of binary columns),
 * then builds the panels and keeps expansion, selection and the filter in the webview state.
 */
import '@vscode/codicons/dist/codicon.css';
import './styles.css';
import {
  HostMessage, INITIAL_STATE_ELEMENT_ID, InitialState, LoadingState, ViewerState, WebviewMessage, type Skeleton, type SpanDetail,
} from '../../src/shared/traceViewerProtocol';
import { showLoading } from './loadingView';
import { Names } from '../../src/shared/skeletonColumns';
import { HostChannel } from '../shared/vscodeApi';
import { h } from '../shared/dom';
import { TreeModel } from './treeModel';
import { TreeView } from './treeView';
import { DetailPanel } from './detailPanel';
import { VerdictPanel } from './verdictPanel';
import { SearchBar } from './searchBar';
import { metricsHeader } from './metricsHeader';
import { artifactsPanel } from './artifactsPanel';
import { splitter } from './splitter';

const SEVERITY: Record<string, number> = { skipped: 0, passed: 1, error: 2, failed: 3 };
const DETAIL_CACHE_SIZE = 200;
const DETAIL_REQUEST_DELAY_MS = 60;
const STATE_SAVE_DELAY_MS = 300;
/** Levels expanded when a trace is opened the first time. */
const INITIAL_DEPTH = 2;

/** The viewer's state, or the loading page's while the trace file is read for the first time. */
function readPageState(): InitialState | LoadingState {
  const text = document.getElementById(INITIAL_STATE_ELEMENT_ID)?.textContent;
  if (!text) throw new Error('The page carries no trace: reopen the trace viewer.');
  const json: unknown = JSON.parse(text);
  const loading = LoadingState.safeParse(json);
  return loading.success ? loading.data : InitialState.parse(json);
}

type Channel = HostChannel<HostMessage, WebviewMessage>;

function start(): void {
  const app = document.getElementById('app')!;
  let init: InitialState | LoadingState;
  try {
    init = readPageState();
  } catch (error) {
    app.replaceChildren(h('p', { className: 'fatal', text: `Cannot show this trace: ${(error as Error).message}` }));
    return;
  }
  const channel: Channel = new HostChannel(HostMessage, WebviewMessage);
  if ('loading' in init) return showLoading(app, init, channel);
  const header = metricsHeader(init, () => channel.post({ type: 'promote' }));
  const notice = h('div', { className: 'notice', role: 'status' });
  const spans = init.metrics.spans;
  const loading = h('p', { className: 'loading', role: 'status', text: `Loading ${spans.toLocaleString('en')} span${spans === 1 ? '' : 's'}…` });
  app.replaceChildren(header, notice, loading);

  // Until the tree is shown only its skeleton matters; a reveal asked for meanwhile waits for it.
  let shown: ((message: HostMessage) => void) | undefined;
  const waiting: HostMessage[] = [];
  channel.listen((message) => {
    if (shown) return shown(message);
    if (message.type === 'skeleton') {
      shown = showTrace(app, header, notice, init, message.skeleton, channel);
      for (const early of waiting.splice(0)) shown(early);
    } else if (message.type === 'error') {
      loading.className = 'fatal';
      loading.textContent = `Cannot show this trace: ${message.message}`;
    } else {
      waiting.push(message);
    }
  }, (problem) => {
    notice.textContent = `Ignored a malformed message from the extension: ${problem}`;
  });
  channel.post({ type: 'ready' });
}

/** Builds the tree and panels over the skeleton; returns the handler of the host's later messages. */
function showTrace(app: HTMLElement, header: HTMLElement, notice: HTMLElement, init: InitialState, s: Skeleton, channel: Channel): (message: HostMessage) => void {
  const model = new TreeModel(s.parents);
  const names = new Names(s.names);

  const cited = new Map<number, string>();
  const failingRows: number[] = [];
  for (const v of init.verdicts) {
    for (const row of v.rows) {
      const before = cited.get(row);
      if (before === undefined || SEVERITY[v.outcome]! > SEVERITY[before]!) cited.set(row, v.outcome);
      if (v.outcome === 'failed' || v.outcome === 'error') failingRows.push(row);
    }
  }
  let hits: ReadonlySet<number> = new Set();
  let currentHit = -1;
  let totalMs = 0;
  for (let row = 0; row < s.size; row++) totalMs = Math.max(totalMs, s.startMs[row]! + s.durMs[row]!);
  const tree = new TreeView(s, model, {
    citedOutcome: (row) => cited.get(row),
    isRootCause: (row) => init.rootCause?.row === row,
    matchState: (row) => (row === currentHit ? 2 : hits.has(row) ? 1 : 0),
  }, totalMs);

  const saved = channel.getState(ViewerState);
  let detailTab = saved?.detailTab;
  const detail = new DetailPanel(detailTab, (tab) => {
    detailTab = tab;
    saveState();
  });
  const details = new Map<number, SpanDetail>();
  let detailTimer: ReturnType<typeof setTimeout> | undefined;
  const showDetail = (row: number) => {
    const cachedDetail = details.get(row);
    if (cachedDetail) return detail.show(cachedDetail);
    detail.showPlaceholder('Loading…');
    clearTimeout(detailTimer);
    // Holding an arrow key moves through many rows: only ask for the one the user stops on.
    detailTimer = setTimeout(() => channel.post({ type: 'getSpan', row }), DETAIL_REQUEST_DELAY_MS);
  };

  let failingOnly = false;
  const setFailingOnly = (on: boolean) => {
    failingOnly = on;
    model.setFilter(on ? failingRows : null);
    verdicts.setFailingOnly(on);
    tree.refresh();
    saveState();
  };
  const reveal = (rows: readonly number[]) => {
    if (rows.length === 0) return;
    // Rows hidden by the filter would be unreachable: leave the filter off to reveal them.
    if (model.filtered && rows.some((r) => !failingRows.includes(r))) setFailingOnly(false);
    model.reveal(rows);
    tree.refresh();
    tree.select(rows[0]!);
    tree.focus();
    saveState();
  };
  const verdicts = new VerdictPanel(init.verdicts, init.rootCause, (row) => (row >= 0 && row < s.size ? names.at(row) : ''), { reveal, setFailingOnly });

  const search = new SearchBar({
    search: (query, regex, caseSensitive, requestId) => {
      // Plain-text hits are marked in the detail too; a regex runs only on the host (RE2).
      detail.setHighlight(regex ? undefined : { text: query, caseSensitive });
      channel.post({ type: 'search', query, regex, caseSensitive, requestId });
    },
    current: (row, all) => {
      // Called again as more hits stream in: move the selection only when the current hit moved.
      const moved = row !== currentHit;
      hits = all;
      currentHit = row;
      if (row >= 0 && moved) {
        model.reveal([row]);
        tree.refresh();
        tree.select(row);
      } else {
        tree.refresh();
      }
    },
  });

  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  function saveState(): void {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      const expanded: number[] = [];
      for (let row = 0; row < model.size; row++) if (model.expanded[row]) expanded.push(row);
      const state: ViewerState = {
        source: init.source, rows: s.size, expanded, selected: tree.selected >= 0 ? tree.selected : null, failingOnly,
        ...(sideWidthPx !== undefined ? { sideWidthPx } : {}),
        ...(detailTab !== undefined ? { detailTab } : {}),
      };
      channel.setState(state);
    }, STATE_SAVE_DELAY_MS);
  }

  tree.onSelect = (row) => {
    showDetail(row);
    saveState();
  };
  tree.onExpansionChange = saveState;

  const expandAll = h('button', { className: 'icon-button', title: 'Expand all', attrs: { 'aria-label': 'Expand all' }, onClick: () => { model.expandAll(); tree.refresh(); saveState(); } }, [h('span', { className: 'codicon codicon-expand-all' })]);
  const collapseAll = h('button', { className: 'icon-button', title: 'Collapse all', attrs: { 'aria-label': 'Collapse all' }, onClick: () => { model.collapseAll(); tree.refresh(); saveState(); } }, [h('span', { className: 'codicon codicon-collapse-all' })]);
  const side = h('div', { className: 'side' }, [verdicts.element, detail.element, artifactsPanel(init.artifacts, (path) => channel.post({ type: 'openArtifact', path }))]);
  let sideWidthPx: number | undefined;
  const split = splitter(() => main, side, (px) => {
    sideWidthPx = px;
    saveState();
  });
  const main = h('div', { className: 'main' }, [tree.element, split.element, side]);
  app.replaceChildren(
    header,
    h('div', { className: 'toolbar' }, [search.element, expandAll, collapseAll]),
    notice,
    main,
  );

  const receive = (message: HostMessage) => {
    switch (message.type) {
      case 'spanDetail':
        details.set(message.detail.row, message.detail);
        if (details.size > DETAIL_CACHE_SIZE) details.delete(details.keys().next().value!);
        if (message.detail.row === tree.selected) detail.show(message.detail);
        break;
      case 'searchResults':
        search.receive(message.requestId, message.rows, message.done, message.truncated, message.error);
        break;
      case 'skeleton':
        break; // already shown (a second one would come from a second `ready`, which this page never sends)
      case 'reveal':
        reveal(message.rows);
        break;
      case 'error':
        notice.textContent = message.message;
        break;
    }
  };

  restore(saved);
  tree.renderNow();
  requestAnimationFrame(() => performance.mark('costar-tree-painted'));
  return receive;

  function restore(saved: ViewerState | undefined): void {
    sideWidthPx = saved?.sideWidthPx;
    split.setSideWidth(sideWidthPx);
    // Rows are only the same rows in the same tree: another size means the file changed.
    const sameTrace = saved && JSON.stringify(saved.source) === JSON.stringify(init.source) && saved.rows === s.size;
    if (!sameTrace) {
      model.expandToDepth(INITIAL_DEPTH);
      // Opened to explain something: show the spans asked for, else the evidence of the first
      // failing verdict, else where things went wrong.
      const evidence = init.verdicts.find((v) => (v.outcome === 'failed' || v.outcome === 'error') && v.rows.length > 0)?.rows[0];
      if (init.reveal?.length) reveal(init.reveal);
      else if (evidence !== undefined) reveal([evidence]);
      else if (init.rootCause) tree.select(init.rootCause.row);
      return;
    }
    model.setExpandedRows(saved.expanded);
    if (saved.failingOnly && failingRows.length) setFailingOnly(true);
    if (saved.selected !== null && saved.selected < s.size) tree.select(saved.selected);
  }
}

start();
