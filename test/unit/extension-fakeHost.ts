/**
 * A small stand-in for the parts of the `vscode` API the Test Explorer adapters use, so
 * they can be exercised in plain Node (the way playwright-vscode tests its adapters).
 * It models VS Code's behaviour, not ours: items, collections, ranges, tags, markdown, and
 * test runs, which keep an ASCII log of item states and located messages (`renderLog`, as
 * microsoft/playwright-vscode's test mocks do) so a test asserts what the Test Explorer shows.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { minimatch } from 'minimatch';
import type { VSCode } from '../../src/extension/vscodeApi';

class Position {
  constructor(readonly line: number, readonly character: number) {}
}

class Range {
  readonly start: Position;
  readonly end: Position;
  /** As in VS Code: `(start, end)` positions, or four numbers. */
  constructor(startLine: number | Position, startCharacter: number | Position, endLine?: number, endCharacter?: number) {
    if (startLine instanceof Position && startCharacter instanceof Position) {
      this.start = startLine;
      this.end = startCharacter;
    } else {
      this.start = new Position(startLine as number, startCharacter as number);
      this.end = new Position(endLine!, endCharacter!);
    }
  }
}

class Uri {
  private constructor(readonly scheme: string, readonly fsPath: string) {}
  static file(file: string): Uri {
    return new Uri('file', path.resolve(file));
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

class TestTag {
  constructor(readonly id: string) {}
}

class MarkdownString {
  isTrusted?: boolean | { enabledCommands: string[] };
  constructor(public value = '') {}
  appendText(text: string): this {
    // VS Code's escapeMarkdownSyntaxTokens.
    this.value += text.replace(/[\\`*_{}[\]()#+\-!~]/g, (c) => `\\${c}`);
    return this;
  }
  appendMarkdown(text: string): this {
    this.value += text;
    return this;
  }
}

class Location {
  readonly range: Range;
  /** As in VS Code, a position becomes an empty range. */
  constructor(readonly uri: Uri, at: Position | Range) {
    this.range = at instanceof Range ? at : new Range(at.line, at.character, at.line, at.character);
  }
}

class TestMessage {
  location?: Location;
  constructor(readonly message: string | MarkdownString) {}
}

class TestRunRequest {
  constructor(
    readonly include?: readonly FakeItem[],
    readonly exclude?: readonly FakeItem[],
    readonly profile?: unknown,
    readonly continuous = false,
  ) {}
}

type Listener<T> = (value: T) => void;
/** vscode.EventEmitter; also the fake debug API's (extension-fakeDebug.ts). */
export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
  dispose(): void {
    this.listeners = [];
  }
}

class CancellationTokenSource {
  private readonly emitter = new EventEmitter<void>();
  readonly token = { isCancellationRequested: false, onCancellationRequested: this.emitter.event };
  cancel(): void {
    if (this.token.isCancellationRequested) return;
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

export interface FakeItem {
  id: string;
  label: string;
  uri: Uri | undefined;
  range?: Range;
  tags: TestTag[];
  description?: string;
  sortText?: string;
  error?: MarkdownString;
  parent?: FakeItem;
  children: FakeCollection;
}

class FakeCollection {
  private readonly map = new Map<string, FakeItem>();
  constructor(private readonly owner?: FakeItem) {}
  get size(): number {
    return this.map.size;
  }
  add(item: FakeItem): void {
    item.parent = this.owner;
    this.map.set(item.id, item);
  }
  delete(id: string): void {
    this.map.delete(id);
  }
  get(id: string): FakeItem | undefined {
    return this.map.get(id);
  }
  replace(items: readonly FakeItem[]): void {
    this.map.clear();
    for (const item of items) this.add(item);
  }
  forEach(callback: (item: FakeItem) => void): void {
    for (const item of [...this.map.values()]) callback(item);
  }
  [Symbol.iterator](): IterableIterator<[string, FakeItem]> {
    return this.map.entries();
  }
}

/**
 * A TestRun that records what the adapter reported. `renderLog()` prints, per item in the
 * order it was first touched, its path and location, then each state and message:
 *
 *   greetings.scenario.yaml > polite [10:4]
 *     enqueued
 *     started
 *     failed: **says please** failed @ greetings.scenario.yaml:18
 */
const STREAM_MARK = '\u0000';

export class FakeTestRun {
  private readonly entries = new Map<FakeItem | undefined, string[]>();
  ended = false;
  constructor(readonly request: TestRunRequest, readonly name: string | undefined) {}

  enqueued(item: FakeItem): void { this.log(item, 'enqueued'); }
  started(item: FakeItem): void { this.log(item, 'started'); }
  skipped(item: FakeItem): void { this.log(item, 'skipped'); }
  passed(item: FakeItem): void { this.log(item, 'passed'); }
  failed(item: FakeItem, message: TestMessage | readonly TestMessage[]): void { this.logMessages(item, 'failed', message); }
  errored(item: FakeItem, message: TestMessage | readonly TestMessage[]): void { this.logMessages(item, 'errored', message); }
  appendOutput(text: string, location?: Location, item?: FakeItem): void {
    const lines = text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
    // Unlocated output is the agent's stream, chunked as the pipe delivered it: marked so a
    // log can leave it out (`{ streams: false }`) and stay deterministic.
    const mark = location ? '' : STREAM_MARK;
    this.log(item, `${mark}output: ${lines[0]}${location ? ` @ ${where(location)}` : ''}`, ...lines.slice(1).map((line) => `${mark}  | ${line}`));
  }
  end(): void {
    if (this.ended) throw new Error('TestRun.end() called twice');
    this.ended = true;
  }

  /** Paths are shown relative to `baseDir`; `streams: false` leaves out the agent's own output. */
  renderLog(baseDir: string, options: { streams?: boolean } = {}): string {
    const out: string[] = [];
    for (const [item, all] of this.entries) {
      const lines = all.filter((line) => options.streams !== false || !line.startsWith(STREAM_MARK)).map((line) => line.replace(STREAM_MARK, ''));
      if (lines.length === 0) continue;
      out.push(item ? `${itemPath(item)}${item.range ? ` [${item.range.start.line + 1}:${item.range.start.character}]` : ''}` : '(run)');
      for (const line of lines) out.push(`  ${line}`);
    }
    return out.join('\n').split(baseDir + path.sep).join('');
  }

  /** Every message text reported, as the Markdown source the Test Results tree shows. */
  messages(): string[] {
    return [...this.entries.values()].flat().filter((l) => /^(failed|errored): /.test(l));
  }

  private logMessages(item: FakeItem, state: string, message: TestMessage | readonly TestMessage[]): void {
    const messages = Array.isArray(message) ? message : [message as TestMessage];
    if (messages.length === 0) this.log(item, state);
    for (const m of messages) {
      const text = typeof m.message === 'string' ? m.message : m.message.value;
      this.log(item, `${state}: ${text.split('\n')[0]}${m.location ? ` @ ${where(m.location)}` : ''}`);
    }
  }

  private log(item: FakeItem | undefined, ...lines: string[]): void {
    this.entries.set(item, [...(this.entries.get(item) ?? []), ...lines]);
  }
}

function where(location: Location): string {
  return `${location.uri.fsPath}:${location.range.start.line + 1}`;
}

/** Labels from below the workspace folder item down to the item. */
function itemPath(item: FakeItem): string {
  const labels: string[] = [];
  for (let at: FakeItem | undefined = item; at?.parent; at = at.parent) labels.unshift(at.label);
  return labels.length > 0 ? labels.join(' > ') : item.label;
}

export function fakeController() {
  const runs: FakeTestRun[] = [];
  return {
    items: new FakeCollection(),
    runs,
    createTestItem: (id: string, label: string, uri?: Uri): FakeItem => {
      const item: FakeItem = { id, label, uri, tags: [], children: new FakeCollection() };
      (item as { children: FakeCollection }).children = new FakeCollection(item);
      return item;
    },
    createTestRun: (request: TestRunRequest, name?: string): FakeTestRun => {
      const run = new FakeTestRun(request, name);
      runs.push(run);
      return run;
    },
  };
}

class ThemeColor {
  constructor(readonly id: string) {}
}

class ThemeIcon {
  constructor(readonly id: string, readonly color?: ThemeColor) {}
}

class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string | MarkdownString;
  iconPath?: ThemeIcon;
  contextValue?: string;
  command?: { command: string; title: string; arguments?: unknown[] };
  constructor(readonly label: string, readonly collapsibleState: number) {}
}

const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };

export const fakeVscode = {
  Position, Range, Uri, TestTag, MarkdownString, Location, TestMessage, TestRunRequest, EventEmitter, CancellationTokenSource,
  ThemeColor, ThemeIcon, TreeItem, TreeItemCollapsibleState,
} as unknown as VSCode;

export { CancellationTokenSource as FakeCancellationTokenSource, TestRunRequest as FakeTestRunRequest };

export function folder(dir: string) {
  return { uri: Uri.file(dir), name: path.basename(dir), index: 0 };
}

export function labelsOf(collection: FakeCollection): string[] {
  const labels: string[] = [];
  collection.forEach((item) => labels.push(item.label));
  return labels;
}

class RelativePattern {
  readonly baseUri: Uri;
  constructor(base: string | Uri | { uri: Uri }, readonly pattern: string) {
    this.baseUri = typeof base === 'string' ? Uri.file(base) : 'uri' in base ? base.uri : base;
  }
}

type FileEventKind = 'create' | 'change' | 'delete';

/** A text document as VS Code keeps it: the buffer, dirty until saved; `save()` writes the file. */
class FakeTextDocument {
  isDirty = false;
  constructor(readonly uri: Uri, private text: string, readonly isUntitled = false) {}
  getText(): string {
    return this.text;
  }
  positionAt(offset: number): Position {
    const before = this.text.slice(0, Math.max(0, Math.min(offset, this.text.length)));
    const line = before.split('\n').length - 1;
    return new Position(line, before.length - (before.lastIndexOf('\n') + 1));
  }
  offsetAt(position: Position): number {
    const lines = this.text.split('\n');
    let offset = 0;
    for (let i = 0; i < position.line && i < lines.length; i++) offset += lines[i]!.length + 1;
    return Math.min(offset + position.character, this.text.length);
  }
  async save(): Promise<boolean> {
    if (this.isUntitled) return false;
    writeFileSync(this.uri.fsPath, this.text);
    this.isDirty = false;
    return true;
  }
  /** Applies replacements (ranges of the current text) as one change, as an edit in the editor does. */
  replace(edits: { range: Range; text: string }[]): { range: Range; text: string }[] {
    const located = edits.map((e) => ({ ...e, start: this.offsetAt(e.range.start), end: this.offsetAt(e.range.end) })).sort((a, b) => b.start - a.start);
    for (const e of located) this.text = this.text.slice(0, e.start) + e.text + this.text.slice(e.end);
    if (located.length > 0) this.isDirty = true;
    return edits;
  }
}

class WorkspaceEdit {
  readonly replacements: { uri: Uri; range: Range; text: string }[] = [];
  readonly creations: { uri: Uri; contents?: Uint8Array; ignoreIfExists?: boolean }[] = [];
  replace(uri: Uri, range: Range, text: string): void {
    this.replacements.push({ uri, range, text });
  }
  createFile(uri: Uri, options: { contents?: Uint8Array; ignoreIfExists?: boolean } = {}): void {
    this.creations.push({ uri, ...options });
  }
}

/**
 * A workspace host around one folder: trust, settings, file watchers that match their glob
 * as VS Code's do, notifications and executed commands recorded. File events are fired by the
 * test (`fileEvent`), the way the editor reports a save.
 */
/**
 * `lm`: the Language Model API to offer (extension-fakeLm.ts), for the editor's models;
 * `debug`: the debug and extensions APIs (extension-fakeDebug.ts), for the Debug profile.
 */
export function fakeHost(workspaceDir: string, options: { trusted?: boolean; settings?: Record<string, unknown>; lm?: Record<string, unknown>; debug?: Record<string, unknown> } = {}) {
  const notifications: string[] = [];
  /**
   * What the user saw, in order: notifications with their buttons, progress titles and
   * messages, documents shown and edits applied (paths relative to the workspace).
   */
  const timeline: string[] = [];
  const relative = (uri: Uri) => (uri.scheme === 'file' ? path.relative(workspaceDir, uri.fsPath) : `${uri.scheme}:${uri.fsPath}`);
  const textDocuments: FakeTextDocument[] = [];
  const documentChanged = new EventEmitter<{ document: FakeTextDocument; contentChanges: { range: Range; text: string }[] }>();
  const openDocument = (uri: Uri): FakeTextDocument => {
    let document = textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (!document) textDocuments.push(document = new FakeTextDocument(uri, readFileSync(uri.fsPath, 'utf8')));
    return document;
  };
  let untitled = 0;
  const executed: unknown[][] = [];
  const logLines: string[] = [];
  const watchers: { matches(file: string): boolean; emitters: Record<FileEventKind, EventEmitter<Uri>> }[] = [];
  const state = { trusted: options.trusted ?? true };
  const settings = options.settings ?? {};
  const never = new EventEmitter<never>().event;
  const notifier = (severity: string) => (message: string, ...rest: unknown[]) => {
    notifications.push(message);
    const buttons = rest.filter((r): r is string => typeof r === 'string');
    timeline.push(`${severity}: ${message}${buttons.length ? ` [${buttons.join('] [')}]` : ''}`);
    return Promise.resolve(undefined);
  };
  const log = Object.fromEntries(['trace', 'debug', 'info', 'warn', 'error'].map((level) => [level, (m: string) => logLines.push(`${level}: ${m}`)]));
  const vscode = {
    ...(fakeVscode as unknown as Record<string, unknown>),
    ...options.lm,
    ...options.debug,
    RelativePattern,
    WorkspaceEdit,
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    Diagnostic: class { source?: string; constructor(readonly range: Range, readonly message: string, readonly severity: number) {} },
    workspace: {
      get isTrusted() { return state.trusted; },
      workspaceFolders: [folder(workspaceDir)],
      getWorkspaceFolder: () => folder(workspaceDir),
      textDocuments,
      openTextDocument: async (arg: Uri | { content?: string }) => {
        if (arg instanceof Uri) return openDocument(arg);
        const document = new FakeTextDocument(Uri.file(`/untitled-${++untitled}`), arg.content ?? '', true);
        textDocuments.push(document);
        return document;
      },
      applyEdit: async (edit: WorkspaceEdit) => {
        for (const c of edit.creations) {
          writeFileSync(c.uri.fsPath, c.contents ?? new Uint8Array(), { flag: c.ignoreIfExists ? 'w' : 'wx' });
          timeline.push(`created ${relative(c.uri)}`);
        }
        const byUri = new Map<string, typeof edit.replacements>();
        for (const r of edit.replacements) byUri.set(r.uri.toString(), [...(byUri.get(r.uri.toString()) ?? []), r]);
        for (const replacements of byUri.values()) {
          const document = openDocument(replacements[0]!.uri);
          const contentChanges = document.replace(replacements);
          timeline.push(`edited ${relative(document.uri)} (${replacements.length} change${replacements.length === 1 ? '' : 's'}, unsaved)`);
          documentChanged.fire({ document, contentChanges });
        }
        return true;
      },
      getConfiguration: (section: string) => ({ get: <T>(key: string, fallback: T) => (settings[`${section}.${key}`] as T | undefined) ?? fallback }),
      createFileSystemWatcher: (glob: string | RelativePattern) => {
        const emitters = { create: new EventEmitter<Uri>(), change: new EventEmitter<Uri>(), delete: new EventEmitter<Uri>() };
        const matches = typeof glob === 'string'
          ? (file: string) => minimatch(file, glob, { dot: true })
          : (file: string) => {
            const relative = path.relative(glob.baseUri.fsPath, file);
            return !relative.startsWith('..') && !path.isAbsolute(relative) && minimatch(relative, glob.pattern, { dot: true });
          };
        const watcher = { matches, emitters };
        watchers.push(watcher);
        return {
          onDidCreate: emitters.create.event, onDidChange: emitters.change.event, onDidDelete: emitters.delete.event,
          dispose: () => watchers.splice(watchers.indexOf(watcher), 1),
        };
      },
      onDidChangeTextDocument: documentChanged.event,
      onDidCloseTextDocument: never,
      onDidChangeWorkspaceFolders: never,
    },
    window: {
      showErrorMessage: notifier('error'),
      showInformationMessage: notifier('info'),
      showWarningMessage: notifier('warning'),
      showTextDocument: async (document: FakeTextDocument) => {
        timeline.push(`shown ${document.isUntitled ? 'untitled document' : relative(document.uri)}`);
        return { document };
      },
      withProgress: async <T>(options: { title?: string }, task: (progress: { report(p: { message?: string }): void }, token: unknown) => Promise<T>) => {
        timeline.push(`progress: ${options.title ?? ''}`);
        const progress = { report: (p: { message?: string }) => { if (p.message) timeline.push(`  ${p.message}`); } };
        return task(progress, new CancellationTokenSource().token);
      },
      createStatusBarItem: () => ({ text: '', tooltip: '', show() {}, hide() {}, dispose() {} }),
    },
    commands: { executeCommand: (...args: unknown[]) => (executed.push(args), Promise.resolve(undefined)) },
  } as unknown as VSCode;
  return {
    vscode,
    notifications,
    timeline,
    executed,
    logLines,
    log: log as unknown as import('vscode').LogOutputChannel,
    diagnostics: { set() {}, delete() {}, clear() {}, dispose() {} } as unknown as import('vscode').DiagnosticCollection,
    setTrusted: (trusted: boolean) => { state.trusted = trusted; },
    /** Number of live watchers that would see `file`. */
    watching: (file: string) => watchers.filter((w) => w.matches(file)).length,
    fileEvent(kind: FileEventKind, file: string): void {
      for (const watcher of [...watchers]) if (watcher.matches(file)) watcher.emitters[kind].fire(Uri.file(file));
    },
  };
}
