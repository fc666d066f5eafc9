/**
 * Keeps the Test Explorer and the Problems panel in step with the scenario files: on disk
 * (FileSystemWatcher) and in the editor (unsaved edits of open scenario files). Changes
 * arrive in bursts (a save, a git checkout), so they are batched into one reload.
 */
import type * as vscodeTypes from 'vscode';
import type { Problem } from '../../core/scenario/yamlSource';
import type { VSCode } from '../vscodeApi';
import { toVsRange } from './ranges';
import type { LoadedWorkspace, TestTree } from './testTree';

/** Files whose content changes what is discovered. */
const WATCHED_GLOB = '**/{costar.yaml,*.scenario.yaml,*.scenario.yml,*.judge.yaml}';
const RELEVANT_FILE = /(^|[\\/])(costar\.yaml|[^\\/]+\.scenario\.ya?ml|[^\\/]+\.judge\.yaml)$/;
/** Long enough to merge the events of one save or checkout, short enough to feel immediate. */
const BATCH_MS = 150;

export interface FilesChanged {
  /** Absolute paths of the changed files. */
  files: string[];
}

export class Discovery implements vscodeTypes.Disposable {
  private readonly disposables: vscodeTypes.Disposable[] = [];
  private readonly diagnosedUris = new Set<string>();
  private readonly changedFiles = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> = Promise.resolve();
  private pending = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly loadedEmitter: vscodeTypes.EventEmitter<FilesChanged>;
  private readonly loaded = new Map<string, LoadedWorkspace>();
  /** Fires after a reload caused by file changes (drives continuous runs). */
  readonly onDidReload: vscodeTypes.Event<FilesChanged>;

  constructor(
    private readonly vscode: VSCode,
    private readonly tree: TestTree,
    private readonly diagnostics: vscodeTypes.DiagnosticCollection,
    private readonly log: vscodeTypes.LogOutputChannel,
  ) {
    this.loadedEmitter = new vscode.EventEmitter<FilesChanged>();
    this.onDidReload = this.loadedEmitter.event;
  }

  start(): void {
    const { vscode } = this;
    const watcher = vscode.workspace.createFileSystemWatcher(WATCHED_GLOB);
    const onFile = (uri: vscodeTypes.Uri) => this.schedule(uri.fsPath);
    this.disposables.push(
      watcher,
      watcher.onDidCreate(onFile),
      watcher.onDidChange(onFile),
      watcher.onDidDelete(onFile),
      vscode.workspace.onDidChangeTextDocument((e) => this.isRelevant(e.document) && e.contentChanges.length > 0 && this.schedule(e.document.uri.fsPath)),
      // Closing an unsaved document drops its override: the file on disk is the truth again.
      vscode.workspace.onDidCloseTextDocument((doc) => this.isRelevant(doc) && this.schedule(doc.uri.fsPath)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.schedule()),
      this.loadedEmitter,
    );
    this.schedule();
  }

  /** The last load of a workspace folder. */
  workspace(workspaceDir: string): LoadedWorkspace | undefined {
    return this.loaded.get(workspaceDir);
  }

  /** Resolves when every scheduled reload has finished (tests and runs wait on this). */
  settled(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Reloads now (after any reload in progress). */
  refresh(): Promise<void> {
    this.pending++;
    this.running = this.running.then(() => this.reloadAll()).catch((e) => this.logFailure(e)).finally(() => this.done());
    return this.running;
  }

  private schedule(file?: string): void {
    if (file) this.changedFiles.add(file);
    // A burst of events restarts the timer; it counts as one pending reload.
    if (this.timer) clearTimeout(this.timer);
    else this.pending++;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const files = [...this.changedFiles];
      this.changedFiles.clear();
      this.running = this.running
        .then(() => this.reloadAll())
        .then(() => {
          if (files.length > 0) this.loadedEmitter.fire({ files });
        })
        .catch((e) => this.logFailure(e))
        .finally(() => this.done());
    }, BATCH_MS);
  }

  /** A failed reload must not stop later ones: the chain of reloads goes on. */
  private logFailure(error: unknown): void {
    this.log.error(`coSTAR: reloading the scenarios failed: ${(error as Error).stack ?? error}`);
  }

  private done(): void {
    this.pending--;
    if (this.pending === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private isRelevant(doc: vscodeTypes.TextDocument): boolean {
    return doc.uri.scheme === 'file' && RELEVANT_FILE.test(doc.uri.fsPath);
  }

  private async reloadAll(): Promise<void> {
    const overrides = new Map<string, string>();
    for (const doc of this.vscode.workspace.textDocuments) {
      if (doc.isDirty && this.isRelevant(doc)) overrides.set(doc.uri.fsPath, doc.getText());
    }
    const folders = this.vscode.workspace.workspaceFolders ?? [];
    const problems: Problem[] = [];
    for (const item of this.tree.workspaceItems()) {
      if (!folders.some((f) => f.uri.toString() === item.id)) this.tree.controller.items.delete(item.id);
    }
    for (const folder of folders) {
      if (folder.uri.scheme !== 'file') continue;
      try {
        // With the judge catalog, expectations naming unknown judges and bad judge files are problems too.
        // The engine (zod, yaml, judges) loads here, after activation, not as part of it.
        const { loadWorkspaceWithJudges } = await import('../../core/workspace');
        const { workspace: loaded, problems: folderProblems } = await loadWorkspaceWithJudges(folder.uri.fsPath, { overrides });
        this.loaded.set(folder.uri.fsPath, loaded);
        // A folder without costar.yaml and scenario files is not a coSTAR workspace: no item, no problems.
        if (loaded.files.length === 0 && !loaded.config) {
          this.tree.removeFolder(folder);
          continue;
        }
        this.tree.update(folder, loaded);
        problems.push(...folderProblems);
      } catch (error) {
        this.log.error(`coSTAR: cannot load ${folder.uri.fsPath}: ${(error as Error).stack ?? error}`);
      }
    }
    this.publish(problems);
  }

  private publish(problems: Problem[]): void {
    const { vscode } = this;
    const byFile = new Map<string, Map<string, vscodeTypes.Diagnostic>>();
    for (const p of problems) {
      const key = `${p.line}:${p.column}:${p.message}`;
      const diagnostic = new vscode.Diagnostic(
        toVsRange(vscode, p),
        p.message,
        p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
      );
      diagnostic.source = 'coSTAR';
      byFile.set(p.file, (byFile.get(p.file) ?? new Map()).set(key, diagnostic));
    }
    const current = new Set<string>();
    for (const [file, diagnostics] of byFile) {
      const uri = vscode.Uri.file(file);
      current.add(uri.toString());
      this.diagnostics.set(uri, [...diagnostics.values()]);
    }
    for (const uri of this.diagnosedUris) if (!current.has(uri)) this.diagnostics.delete(vscode.Uri.parse(uri));
    this.diagnosedUris.clear();
    for (const uri of current) this.diagnosedUris.add(uri);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
