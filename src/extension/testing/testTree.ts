/**
 * The Test Explorer tree: workspace folder → scenario file → scenario → judge (one child
 * per expectation). It maps what the engine loaded onto TestItems and remembers, for each
 * item, which scenario/expectation it stands for, so runs can go both ways.
 */
import * as path from 'node:path';
import type * as vscodeTypes from 'vscode';
import type { loadWorkspace } from '../../core/scenario/load';
import type { Problem } from '../../core/scenario/yamlSource';
import type { VSCode } from '../vscodeApi';
import { toVsRange } from './ranges';

export type LoadedWorkspace = Awaited<ReturnType<typeof loadWorkspace>>;
export type LoadedScenario = LoadedWorkspace['scenarios'][number];

export type ItemRef =
  | { kind: 'workspace'; workspaceDir: string }
  | { kind: 'file'; workspaceDir: string; file: string }
  | { kind: 'scenario'; workspaceDir: string; file: string; scenarioId: string }
  | { kind: 'judge'; workspaceDir: string; file: string; scenarioId: string; expectationIndex: number };

export class TestTree {
  private readonly refs = new WeakMap<vscodeTypes.TestItem, ItemRef>();
  /** workspaceDir → scenario id → scenario item. */
  private readonly scenarios = new Map<string, Map<string, vscodeTypes.TestItem>>();

  constructor(
    private readonly vscode: VSCode,
    readonly controller: vscodeTypes.TestController,
  ) {}

  ref(item: vscodeTypes.TestItem): ItemRef | undefined {
    return this.refs.get(item);
  }

  scenarioItem(workspaceDir: string, scenarioId: string): vscodeTypes.TestItem | undefined {
    return this.scenarios.get(workspaceDir)?.get(scenarioId);
  }

  /** Scenario items of one workspace folder, in file order. */
  scenarioItems(workspaceDir: string): vscodeTypes.TestItem[] {
    return [...(this.scenarios.get(workspaceDir)?.values() ?? [])];
  }

  workspaceItems(): vscodeTypes.TestItem[] {
    const items: vscodeTypes.TestItem[] = [];
    this.controller.items.forEach((item) => items.push(item));
    return items;
  }

  /** Replaces the folder's subtree with what was loaded, reusing items whose ids stayed. */
  update(folder: vscodeTypes.WorkspaceFolder, loaded: LoadedWorkspace): void {
    const { vscode } = this;
    const workspaceDir = folder.uri.fsPath;
    const root = this.upsert(this.controller.items, folder.uri.toString(), folder.name, folder.uri, { kind: 'workspace', workspaceDir });
    root.error = this.problemsMarkdown(loaded.problems.filter((p) => !loaded.files.some((f) => f.file === p.file)), workspaceDir);

    const byFile = new Map<string, LoadedScenario[]>();
    for (const scenario of loaded.scenarios) byFile.set(scenario.file, [...(byFile.get(scenario.file) ?? []), scenario]);

    const scenarioMap = new Map<string, vscodeTypes.TestItem>();
    const fileItems = loaded.files.map((file, fileIndex) => {
      const uri = vscode.Uri.file(file.file);
      const fileItem = this.upsert(root.children, uri.toString(), file.relFile, uri, { kind: 'file', workspaceDir, file: file.file });
      fileItem.sortText = String(fileIndex).padStart(6, '0');
      fileItem.error = this.problemsMarkdown(file.problems.filter((p) => p.severity === 'error'), workspaceDir);

      const scenarioItems = (byFile.get(file.file) ?? []).map((scenario) => {
        const item = this.upsert(fileItem.children, `scenario:${scenario.def.id}`, scenario.def.id, uri, {
          kind: 'scenario', workspaceDir, file: file.file, scenarioId: scenario.def.id,
        });
        item.range = toVsRange(vscode, scenario.range);
        item.description = scenario.def.description;
        item.tags = scenario.def.tags.map((tag) => new vscode.TestTag(tag));
        item.sortText = String(scenario.range.line).padStart(6, '0');
        item.children.replace(
          scenario.def.expectations.map((expectation, index) => {
            const judge = this.upsert(item.children, `${index}:${expectation.judge}`, expectation.name ?? expectation.judge, uri, {
              kind: 'judge', workspaceDir, file: file.file, scenarioId: scenario.def.id, expectationIndex: index,
            });
            const range = scenario.expectationRanges[index];
            judge.range = range ? toVsRange(vscode, range) : item.range;
            judge.description = expectation.name ? expectation.judge : undefined;
            judge.sortText = String(index).padStart(6, '0');
            return judge;
          }),
        );
        scenarioMap.set(scenario.def.id, item);
        return item;
      });
      fileItem.children.replace(scenarioItems);
      return fileItem;
    });
    root.children.replace(fileItems);
    this.scenarios.set(workspaceDir, scenarioMap);
  }

  removeFolder(folder: vscodeTypes.WorkspaceFolder): void {
    this.controller.items.delete(folder.uri.toString());
    this.scenarios.delete(folder.uri.fsPath);
  }

  /** An existing child keeps its id, results and expanded state; a new one is created otherwise. */
  private upsert(
    collection: vscodeTypes.TestItemCollection,
    id: string,
    label: string,
    uri: vscodeTypes.Uri,
    ref: ItemRef,
  ): vscodeTypes.TestItem {
    let item = collection.get(id);
    if (!item || item.uri?.toString() !== uri.toString()) {
      item = this.controller.createTestItem(id, label, uri);
      collection.add(item);
    }
    item.label = label;
    this.refs.set(item, ref);
    return item;
  }

  private problemsMarkdown(problems: Problem[], workspaceDir: string): vscodeTypes.MarkdownString | undefined {
    if (problems.length === 0) return undefined;
    const text = problems
      .map((p) => `${path.relative(workspaceDir, p.file).split(path.sep).join('/')}:${p.line}:${p.column} ${p.message}`)
      .join('\n');
    const markdown = new this.vscode.MarkdownString();
    markdown.appendText(text);
    return markdown;
  }
}
