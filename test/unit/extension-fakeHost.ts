/**
 * A small stand-in for the parts of the `vscode` API the Test Explorer adapters use, so
 * they can be exercised in plain Node (the way playwright-vscode tests its adapters).
 * It models VS Code's behaviour, not ours: items, collections, ranges, tags, markdown, and
 * test runs, which keep an ASCII log of item states and located messages (`renderLog`, as
 * microsoft/playwright-vscode's test mocks do) so a test asserts what the Test Explorer shows.
 */
import * as path from 'node:path';
import type { VSCode } from '../../src/extension/vscodeApi';

class Position {
  constructor(readonly line: number, readonly character: number) {}
}

class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(startLine: number, startCharacter: number, endLine: number, endCharacter: number) {
    this.start = new Position(startLine, startCharacter);
    this.end = new Position(endLine, endCharacter);
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
class EventEmitter<T> {
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
    const at = location ? ` @ ${where(location)}` : '';
    const lines = text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
    this.log(item, `output: ${lines[0]}${at}`, ...lines.slice(1).map((line) => `  | ${line}`));
  }
  end(): void {
    if (this.ended) throw new Error('TestRun.end() called twice');
    this.ended = true;
  }

  /** Paths are shown relative to `baseDir`. */
  renderLog(baseDir: string): string {
    const out: string[] = [];
    for (const [item, lines] of this.entries) {
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

export const fakeVscode = {
  Position, Range, Uri, TestTag, MarkdownString, Location, TestMessage, TestRunRequest, EventEmitter, CancellationTokenSource,
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
