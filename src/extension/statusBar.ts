import type * as vscodeTypes from 'vscode';
import type { RunSummary } from '../core/run/protocol';
import type { VSCode } from './vscodeApi';

/** Shows the last run's counts; clicking it opens the Testing view. */
export class RunStatusBar implements vscodeTypes.Disposable {
  private readonly item: vscodeTypes.StatusBarItem;

  constructor(vscode: VSCode) {
    this.item = vscode.window.createStatusBarItem('costar.lastRun', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'coSTAR last run';
    this.item.command = 'workbench.view.testing.focus';
  }

  showRunning(): void {
    this.item.text = '$(sync~spin) coSTAR running';
    this.item.tooltip = 'coSTAR: scenarios are running';
    this.item.show();
  }

  showSummary(summary: RunSummary): void {
    this.item.text = statusText(summary);
    this.item.tooltip = `coSTAR last run: ${summary.passed} passed, ${summary.failed} failed, ${summary.error} errors, ${summary.skipped} skipped`;
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}

export function statusText(summary: RunSummary): string {
  const parts = [`$(pass) ${summary.passed}`, `$(error) ${summary.failed}`];
  if (summary.error) parts.push(`$(warning) ${summary.error}`);
  if (summary.skipped) parts.push(`$(debug-step-over) ${summary.skipped}`);
  return `coSTAR ${parts.join(' ')}`;
}
