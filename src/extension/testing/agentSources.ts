/**
 * Continuous runs watch the agent's own code too: every folder listed in an agent's `source`
 * (costar.yaml; the folders Refine may edit) is watched, and an edit there re-runs the
 * watched scenarios of that agent. What runs write (`.costar/`: traces, sandboxes, logs) never
 * counts as an edit, or an agent whose source is the workspace root would re-run itself forever.
 */
import * as path from 'node:path';
import type * as vscodeTypes from 'vscode';
import type { VSCode } from '../vscodeApi';
import type { LoadedWorkspace } from './testTree';
import { costarDir } from '../../core/layout';

/** Long enough to merge the events of one save or a formatter's rewrite of several files. */
const BATCH_MS = 150;

export interface AgentSourceChange {
  workspaceDir: string;
  agents: Set<string>;
}

export class AgentSourceWatch implements vscodeTypes.Disposable {
  private watchers: vscodeTypes.Disposable[] = [];
  private folders: { workspaceDir: string; agent: string; dir: string }[] = [];
  private readonly pending = new Map<string, Set<string>>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly vscode: VSCode,
    private readonly onChange: (change: AgentSourceChange) => void,
  ) {}

  /** (Re)creates the watchers for the agents' source folders of the given workspaces. */
  update(workspaces: LoadedWorkspace[]): void {
    const folders = workspaces.flatMap((ws) => Object.entries(ws.config?.agents ?? {}).flatMap(([agent, config]) =>
      config.source.map((source) => ({ workspaceDir: ws.workspaceDir, agent, dir: path.resolve(ws.workspaceDir, source) }))));
    const key = (f: { agent: string; dir: string }) => `${f.agent}\u0000${f.dir}`;
    if (folders.map(key).join('\n') === this.folders.map(key).join('\n')) return;
    this.disposeWatchers();
    this.folders = folders;
    for (const dir of new Set(folders.map((f) => f.dir))) {
      const watcher = this.vscode.workspace.createFileSystemWatcher(new this.vscode.RelativePattern(this.vscode.Uri.file(dir), '**/*'));
      const onFile = (uri: vscodeTypes.Uri) => this.changed(uri.fsPath);
      this.watchers.push(watcher, watcher.onDidCreate(onFile), watcher.onDidChange(onFile), watcher.onDidDelete(onFile));
    }
  }

  private changed(file: string): void {
    for (const f of this.folders) {
      if (!isInside(f.dir, file) || isInside(costarDir(f.workspaceDir), file)) continue;
      this.pending.set(f.workspaceDir, (this.pending.get(f.workspaceDir) ?? new Set()).add(f.agent));
    }
    if (this.pending.size === 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const batches = [...this.pending];
      this.pending.clear();
      for (const [workspaceDir, agents] of batches) this.onChange({ workspaceDir, agents });
    }, BATCH_MS);
  }

  private disposeWatchers(): void {
    for (const d of this.watchers.splice(0)) d.dispose();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.disposeWatchers();
  }
}

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
