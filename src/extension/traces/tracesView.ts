/**
 * The "coSTAR Traces" view in the Testing container: the newest stored traces (scenario,
 * outcome icon, duration, tokens, age; prompt and output as child rows), filtered by outcome
 * or scenario, each opening the trace viewer. It reads `.costar/` only when visible, and
 * refreshes when a run or an import stores traces or reports.
 */
import type * as vscodeTypes from 'vscode';
import type { VSCode } from '../vscodeApi';
import { OPEN_TRACE_COMMAND } from '../testing/failureMarkdown';
import type { TraceFilter, TraceRow, TraceStatus } from './traceRows';

export const TRACES_VIEW_ID = 'costar.traces';
export const FILTER_TRACES_COMMAND = 'costar.traces.filter';
export const CLEAR_TRACES_FILTER_COMMAND = 'costar.traces.clearFilter';
export const REFRESH_TRACES_COMMAND = 'costar.traces.refresh';
const REFRESH_BATCH_MS = 300;

const ICONS: Record<TraceStatus, [string, string]> = {
  passed: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  error: ['warning', 'testing.iconErrored'],
  skipped: ['debug-step-over', 'testing.iconSkipped'],
  ok: ['circle-outline', 'descriptionForeground'],
  'trace-error': ['warning', 'testing.iconErrored'],
  'in-progress': ['sync', 'descriptionForeground'],
};
const STATUS_LABELS: Record<TraceStatus, string> = {
  passed: 'passed', failed: 'failed', error: 'error', skipped: 'skipped', ok: 'imported, OK', 'trace-error': 'imported, ERROR', 'in-progress': 'in progress',
};

/** A trace row carries its id at the top, so "Open Trace" from the context menu receives `{ traceId }`. */
type Node = { kind: 'trace'; traceId: string; row: TraceRow } | { kind: 'detail'; row: TraceRow; field: 'prompt' | 'output' };

export interface TraceSource {
  /** The rows of the workspace's stored traces. */
  rows(filter: TraceFilter): Promise<TraceRow[]>;
}

export class TracesView implements vscodeTypes.TreeDataProvider<Node>, vscodeTypes.Disposable {
  private readonly changed: vscodeTypes.EventEmitter<Node | undefined>;
  readonly onDidChangeTreeData: vscodeTypes.Event<Node | undefined>;
  filter: TraceFilter = {};
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly vscode: VSCode, private readonly source: () => TraceSource | undefined, private readonly now = () => Date.now()) {
    this.changed = new vscode.EventEmitter<Node | undefined>();
    this.onDidChangeTreeData = this.changed.event;
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** Many files land at once during a run: one refresh for the burst. */
  refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), REFRESH_BATCH_MS);
  }

  setFilter(filter: TraceFilter): void {
    this.filter = filter;
    void this.vscode.commands.executeCommand('setContext', 'costar.traces.filtered', Boolean(filter.statuses?.length || filter.scenario));
    this.refresh();
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node?.kind === 'trace') {
      return [{ kind: 'detail', row: node.row, field: 'prompt' }, { kind: 'detail', row: node.row, field: 'output' }];
    }
    if (node) return [];
    const source = this.source();
    return source ? (await source.rows(this.filter)).map((row) => ({ kind: 'trace', traceId: row.traceId, row })) : [];
  }

  getTreeItem(node: Node): vscodeTypes.TreeItem {
    const { vscode } = this;
    const { row } = node;
    const open = { command: OPEN_TRACE_COMMAND, title: 'Open Trace', arguments: [{ traceId: row.traceId }] };
    if (node.kind === 'detail') {
      const text = row[node.field];
      const item = new vscode.TreeItem(`${node.field === 'prompt' ? 'Prompt' : 'Output'}: ${text || '(none recorded)'}`, vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon(node.field === 'prompt' ? 'comment' : 'output');
      item.command = open;
      return item;
    }
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = row.traceId;
    const [icon, colour] = ICONS[row.status];
    item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(colour));
    item.description = [STATUS_LABELS[row.status], seconds(row.durationMs), row.tokens !== undefined ? `${row.tokens} tokens` : undefined, age(this.now() - row.time)].filter(Boolean).join(' · ');
    // Trace content is shown as text: a plain-string tooltip is never rendered as Markdown.
    item.tooltip = [`${row.label} — ${STATUS_LABELS[row.status]}`, row.runId ? `run ${row.runId}` : undefined, `trace ${row.traceId}`, '', `Prompt: ${row.prompt || '(none)'}`, `Output: ${row.output || '(none)'}`]
      .filter((line) => line !== undefined).join('\n');
    item.contextValue = 'costarTrace';
    item.command = open;
    return item;
  }

  /** The filter command: outcomes to show, then a part of the scenario id. */
  async pickFilter(): Promise<void> {
    const { vscode } = this;
    const statuses = Object.keys(STATUS_LABELS) as TraceStatus[];
    const picked = await vscode.window.showQuickPick(
      statuses.map((status) => ({ label: STATUS_LABELS[status], status, picked: this.filter.statuses?.includes(status) ?? false })),
      { title: 'coSTAR Traces: show outcomes (none: all)', canPickMany: true },
    );
    if (!picked) return;
    const scenario = await vscode.window.showInputBox({ title: 'coSTAR Traces: scenario id contains (empty: any)', value: this.filter.scenario ?? '' });
    if (scenario === undefined) return;
    this.setFilter({ ...(picked.length ? { statuses: picked.map((p) => p.status) } : {}), ...(scenario.trim() ? { scenario: scenario.trim() } : {}) });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.changed.dispose();
  }
}

/** Not core/util/duration's formatter: that module brings zod, and this file loads at activation. */
function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

function age(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} d ago`;
}
