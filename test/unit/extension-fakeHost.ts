/**
 * A small stand-in for the parts of the `vscode` API the Test Explorer adapters use, so
 * they can be exercised in plain Node (the way playwright-vscode tests its adapters).
 * It models VS Code's behaviour, not ours: items, collections, ranges, tags, markdown.
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
  constructor(public value = '') {}
  appendText(text: string): this {
    this.value += text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
    return this;
  }
  appendMarkdown(text: string): this {
    this.value += text;
    return this;
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
  children: FakeCollection;
}

class FakeCollection {
  private readonly map = new Map<string, FakeItem>();
  get size(): number {
    return this.map.size;
  }
  add(item: FakeItem): void {
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
    for (const item of items) this.map.set(item.id, item);
  }
  forEach(callback: (item: FakeItem) => void): void {
    for (const item of [...this.map.values()]) callback(item);
  }
  [Symbol.iterator](): IterableIterator<[string, FakeItem]> {
    return this.map.entries();
  }
}

export function fakeController(): { items: FakeCollection; createTestItem(id: string, label: string, uri?: Uri): FakeItem } {
  return {
    items: new FakeCollection(),
    createTestItem: (id, label, uri) => ({ id, label, uri, tags: [], children: new FakeCollection() }),
  };
}

export const fakeVscode = { Position, Range, Uri, TestTag, MarkdownString } as unknown as VSCode;

export function folder(dir: string) {
  return { uri: Uri.file(dir), name: path.basename(dir), index: 0 };
}

export function labelsOf(collection: FakeCollection): string[] {
  const labels: string[] = [];
  collection.forEach((item) => labels.push(item.label));
  return labels;
}
