/**
 * Reports one harness run of one workspace folder into a VS Code TestRun: harness events
 * in, item states, streamed output and located failure messages out.
 */
import type * as vscodeTypes from 'vscode';
import type { Verdict } from '../../core/judges/types';
import type { HarnessEvent, ScenarioResult } from '../../core/run/protocol';
import type { VSCode } from '../vscodeApi';
import { commandUri, OPEN_TRACE_COMMAND, verdictMarkdown } from './failureMarkdown';
import type { ResultLog } from './resultLog';
import type { TestTree } from './testTree';
import { traceFilePath } from './traceLocation';

export class RunReporter {
  private readonly finished = new Set<string>();

  constructor(
    private readonly vscode: VSCode,
    private readonly run: vscodeTypes.TestRun,
    private readonly tree: TestTree,
    private readonly results: ResultLog,
    private readonly workspaceDir: string,
    private readonly items: vscodeTypes.TestItem[],
  ) {}

  enqueueAll(): void {
    for (const item of this.items) {
      this.run.enqueued(item);
      item.children.forEach((child) => this.run.enqueued(child));
    }
  }

  onEvent(event: HarnessEvent): void {
    switch (event.type) {
      case 'attemptStarted': {
        const item = this.item(event.scenarioId);
        if (!item) return;
        this.run.started(item);
        item.children.forEach((child) => this.run.started(child));
        return;
      }
      case 'output': {
        const item = this.item(event.scenarioId);
        // The output pane is a terminal: it needs CRLF to return to column 0.
        this.run.appendOutput(event.text.replace(/\r?\n/g, '\r\n'), undefined, item);
        return;
      }
      case 'scenarioFinished':
        this.finish(event.result);
        return;
      default:
        return;
    }
  }

  /** Items the harness never reported on: not passed, and why. */
  finishRemaining(reason: { cancelled: boolean; error?: string }): void {
    for (const item of this.items) {
      const ref = this.tree.ref(item);
      if (!ref || ref.kind !== 'scenario' || this.finished.has(ref.scenarioId)) continue;
      if (reason.cancelled) {
        this.run.skipped(item);
        item.children.forEach((child) => this.run.skipped(child));
        this.results.record({ workspaceDir: this.workspaceDir, scenarioId: ref.scenarioId, status: 'skipped', messages: [], durationMs: 0 });
      } else {
        this.reportError(item, reason.error ?? 'The harness ended without a result for this scenario; see the coSTAR output channel.');
      }
    }
  }

  /** The scenario could not run at all (untrusted workspace, harness failure). */
  reportError(item: vscodeTypes.TestItem, text: string): void {
    const ref = this.tree.ref(item);
    if (!ref || ref.kind !== 'scenario') return;
    this.finished.add(ref.scenarioId);
    const message = new this.vscode.TestMessage(text);
    this.run.errored(item, message);
    item.children.forEach((child) => this.run.errored(child, message));
    this.results.record({ workspaceDir: this.workspaceDir, scenarioId: ref.scenarioId, status: 'error', messages: [{ markdown: text }], durationMs: 0 });
  }

  private item(scenarioId: string): vscodeTypes.TestItem | undefined {
    return this.tree.scenarioItem(this.workspaceDir, scenarioId);
  }

  private finish(result: ScenarioResult): void {
    const item = this.item(result.id);
    if (!item) return;
    this.finished.add(result.id);
    const traceFile = result.traceId ? traceFilePath(this.workspaceDir, result.traceId) : undefined;
    const verdicts = result.attempts.at(-1)?.verdicts ?? [];

    const judgeItems = new Map<number, vscodeTypes.TestItem>();
    item.children.forEach((child) => {
      const ref = this.tree.ref(child);
      if (ref?.kind === 'judge') judgeItems.set(ref.expectationIndex, child);
    });

    const scenarioMessages: vscodeTypes.TestMessage[] = [];
    const reported = new Set<vscodeTypes.TestItem>();
    for (const verdict of verdicts) {
      const child = judgeItems.get(verdict.expectationIndex);
      const message = this.verdictMessage(verdict, traceFile, child ?? item);
      if (verdict.outcome === 'failed' || verdict.outcome === 'error') scenarioMessages.push(message);
      if (!child) continue;
      reported.add(child);
      if (verdict.outcome === 'passed') this.run.passed(child, verdict.cost.ms);
      else if (verdict.outcome === 'failed') this.run.failed(child, message, verdict.cost.ms);
      else if (verdict.outcome === 'error') this.run.errored(child, message, verdict.cost.ms);
      else this.run.skipped(child);
    }

    if (result.status === 'error') {
      const reason = result.error ?? result.attempts.at(-1)?.error;
      if (reason || scenarioMessages.length === 0) {
        scenarioMessages.unshift(this.textMessage(`${reason ?? 'The scenario could not finish.'}`, traceFile, item));
      }
    }
    item.children.forEach((child) => {
      if (reported.has(child)) return;
      // Judges without a verdict did not get to run (agent error, cancel, skip).
      if (result.status === 'error') this.run.errored(child, scenarioMessages[0]!);
      else this.run.skipped(child);
    });

    switch (result.status) {
      case 'passed':
        this.run.passed(item, result.durationMs);
        break;
      case 'failed':
        this.run.failed(item, scenarioMessages, result.durationMs);
        break;
      case 'error':
        this.run.errored(item, scenarioMessages, result.durationMs);
        break;
      case 'skipped':
        this.run.skipped(item);
        break;
    }

    this.results.record({
      workspaceDir: this.workspaceDir,
      scenarioId: result.id,
      status: result.status,
      traceFile,
      durationMs: result.durationMs,
      messages: scenarioMessages.map((m) => ({
        markdown: typeof m.message === 'string' ? m.message : m.message.value,
        file: m.location?.uri.fsPath,
        line: m.location ? m.location.range.start.line + 1 : undefined,
      })),
    });
  }

  private verdictMessage(verdict: Verdict, traceFile: string | undefined, at: vscodeTypes.TestItem): vscodeTypes.TestMessage {
    return this.located(new this.vscode.TestMessage(this.markdown(verdictMarkdown(verdict, traceFile))), at);
  }

  private textMessage(text: string, traceFile: string | undefined, at: vscodeTypes.TestItem): vscodeTypes.TestMessage {
    const markdown = new this.vscode.MarkdownString();
    markdown.appendText(text);
    if (traceFile) markdown.appendMarkdown(`\n\n[Open trace](${commandUri(OPEN_TRACE_COMMAND, [traceFile])})`);
    markdown.isTrusted = { enabledCommands: [OPEN_TRACE_COMMAND] };
    return this.located(new this.vscode.TestMessage(markdown), at);
  }

  private markdown(text: string): vscodeTypes.MarkdownString {
    const markdown = new this.vscode.MarkdownString(text);
    // Only our own "Open trace" command may run from a link; all other text is escaped.
    markdown.isTrusted = { enabledCommands: [OPEN_TRACE_COMMAND] };
    return markdown;
  }

  private located(message: vscodeTypes.TestMessage, at: vscodeTypes.TestItem): vscodeTypes.TestMessage {
    if (at.uri && at.range) message.location = new this.vscode.Location(at.uri, at.range.start);
    return message;
  }
}
