/**
 * Reports one harness run of one workspace folder into a VS Code TestRun: harness events
 * in, item states, streamed output and located failure messages out.
 */
import type * as vscodeTypes from 'vscode';
import type { Verdict } from '../../core/judges/types';
import type { HarnessEvent, ScenarioResult } from '../../core/run/protocol';
import type { VSCode } from '../vscodeApi';
import { MODEL_SETUP_HINT } from '../../core/llm/setupHint';
import { commandUri, escapeMarkdown, OPEN_TRACE_COMMAND, verdictMarkdown } from './failureMarkdown';
import type { ResultLog } from './resultLog';
import type { TestTree } from './testTree';
import { tracePath } from '../../core/layout';

export class RunReporter {
  private readonly finished = new Set<string>();
  private readonly started = new Set<string>();
  /** Model-based judges skipped because no model is configured (the handler offers to set one up). */
  modelSkips = 0;

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
        // The harness says so twice per attempt (again with the agent's pid once it runs).
        const key = `${event.scenarioId}\u0000${event.attempt}`;
        if (!item || this.started.has(key)) return;
        this.started.add(key);
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

  /** A line of coSTAR's own in a scenario's output (what the Debug profile is doing). */
  say(scenarioId: string, text: string): void {
    const item = this.item(scenarioId);
    if (item) this.run.appendOutput(`[coSTAR] ${text.replace(/\r?\n/g, '\r\n')}\r\n`, undefined, item);
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
    const traceFile = result.traceId ? tracePath(this.workspaceDir, result.traceId) : undefined;
    const lastAttempt = result.attempts.at(-1);
    const verdicts = lastAttempt?.verdicts ?? [];
    // An agent that did not finish was never really tested: its judges looked at partial
    // output, so they show as not run (grey), never as red failures.
    const agentError = lastAttempt?.agentError;

    const judgeItems = new Map<number, vscodeTypes.TestItem>();
    item.children.forEach((child) => {
      const ref = this.tree.ref(child);
      if (ref?.kind === 'judge') judgeItems.set(ref.expectationIndex, child);
    });

    const scenarioMessages: vscodeTypes.TestMessage[] = [];
    const reported = new Set<vscodeTypes.TestItem>();
    for (const verdict of verdicts) {
      const child = judgeItems.get(verdict.expectationIndex);
      if (agentError) {
        if (child) this.notRun(child, agentError, verdict);
        if (child) reported.add(child);
        continue;
      }
      const message = this.verdictMessage(verdict, traceFile, child ?? item);
      if (verdict.outcome === 'failed' || verdict.outcome === 'error') scenarioMessages.push(message);
      if (!child) continue;
      reported.add(child);
      if (verdict.outcome === 'passed') this.run.passed(child, verdict.cost.ms);
      else if (verdict.outcome === 'failed') this.run.failed(child, message, verdict.cost.ms);
      else if (verdict.outcome === 'error') this.run.errored(child, message, verdict.cost.ms);
      else this.skippedVerdict(child, verdict);
    }

    if (result.status === 'error') {
      const reason = agentError ?? result.error ?? lastAttempt?.error;
      if (reason || scenarioMessages.length === 0) {
        scenarioMessages.unshift(this.textMessage(reason ? capitalize(reason) : 'The scenario could not finish.', traceFile, item));
      }
    }
    item.children.forEach((child) => {
      if (reported.has(child)) return;
      // Judges without a verdict did not get to run (agent error, cancel, skip).
      if (agentError) this.notRun(child, agentError);
      else if (result.status === 'error') this.run.errored(child, scenarioMessages[0]!);
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

  /**
   * TestRun.skipped takes no message, and VS Code then says "The test case did not report any
   * output"; the reason goes into the item's output, at the expectation's line, instead.
   */
  private skippedVerdict(child: vscodeTypes.TestItem, verdict: Verdict): void {
    this.run.skipped(child);
    if (verdict.error === MODEL_SETUP_HINT) this.modelSkips += 1;
    this.explain(child, `${verdict.name} was skipped: ${skipReason(verdict)}`);
  }

  private notRun(child: vscodeTypes.TestItem, agentError: string, verdict?: Verdict): void {
    this.run.skipped(child);
    // The first line says what happened; the stderr lines below it are in the scenario's message.
    const firstLine = agentError.split('\n')[0]!.replace(/;[^;]*:$/, '');
    const partial = verdict && verdict.outcome !== 'skipped'
      ? ` On what the agent produced before it stopped, this check ${verdict.outcome === 'error' ? 'could not finish' : verdict.outcome}${verdict.rationale ? `: ${verdict.rationale}` : '.'}`
      : '';
    this.explain(child, `${child.label} was not assessed: the agent did not finish (${firstLine}).${partial}`);
  }

  private explain(child: vscodeTypes.TestItem, text: string): void {
    const location = child.uri && child.range ? new this.vscode.Location(child.uri, child.range.start) : undefined;
    this.run.appendOutput(`${text.replace(/\r?\n/g, '\r\n')}\r\n`, location, child);
  }

  private verdictMessage(verdict: Verdict, traceFile: string | undefined, at: vscodeTypes.TestItem): vscodeTypes.TestMessage {
    const message = this.located(new this.vscode.TestMessage(this.markdown(verdictMarkdown(verdict, traceFile))), at);
    if (verdict.outcome === 'failed' || verdict.outcome === 'error') message.contextValue = RED_MESSAGE;
    return message;
  }

  private textMessage(text: string, traceFile: string | undefined, at: vscodeTypes.TestItem): vscodeTypes.TestMessage {
    // Our own escaping, not appendText's: the Test Results tree shows the Markdown source of a
    // message's first line, so every needless backslash would show there.
    // Hard line breaks keep an agent's stderr lines apart.
    const markdown = new this.vscode.MarkdownString(escapeMarkdown(text).replace(/\r?\n/g, '  \n'));
    if (traceFile) markdown.appendMarkdown(`\n\n[Open trace](${commandUri(OPEN_TRACE_COMMAND, [traceFile])})`);
    markdown.isTrusted = { enabledCommands: [OPEN_TRACE_COMMAND] };
    const message = this.located(new this.vscode.TestMessage(markdown), at);
    message.contextValue = RED_MESSAGE;
    return message;
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

/** contextValue of a failing or errored message: "Fix with assistant" is offered on it (package.json menus). */
export const RED_MESSAGE = 'costar.red';

/** Editor wording for the CLI's hint: the settings and command a VS Code user has. */
export const EDITOR_MODEL_HINT =
  'no model is configured. Set costar.model.baseUrl and costar.model.name (Settings › Extensions › coSTAR) and run "coSTAR: Set API Key" if the endpoint needs a key, then run again.';

function skipReason(verdict: Verdict): string {
  if (verdict.error === MODEL_SETUP_HINT) return EDITOR_MODEL_HINT;
  return verdict.error ?? (verdict.rationale || 'the judge did not run.');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
