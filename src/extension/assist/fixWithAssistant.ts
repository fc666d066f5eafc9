/**
 * "Fix with assistant" on a failing or errored test message: opens the editor's chat in agent
 * mode with the failure, the judge's rationale and coSTAR's tools named, so the user's own
 * coding assistant diagnoses and fixes the agent and runs the scenario again. Where no chat
 * is available (no chat extension, AI features off) it falls back to coSTAR's own Refine.
 */
import { assistToolName } from '../../core/assist/toolContributions';

/** What this needs of the editor (a slice of `vscode.commands`, injected for tests). */
export interface CommandHost {
  getCommands(filterInternal?: boolean): Thenable<string[]>;
  executeCommand<T>(command: string, ...args: unknown[]): Thenable<T>;
}

export interface FailureToFix {
  scenarioId: string;
  /** The expectation (judge) whose verdict failed, when the message is a judge's. */
  expectation?: string;
  /** The message's text (the rationale, or the agent's error). */
  text: string;
  /** The agent's declared source folders, if known. */
  sourceFolders: readonly string[];
}

export const CHAT_OPEN_COMMAND = 'workbench.action.chat.open';
export const REFINE_COMMAND = 'costar.refine';

/** Opens the chat with the failure; returns which way it went. */
export async function fixWithAssistant(commands: CommandHost, failure: FailureToFix, refineArg: unknown): Promise<'chat' | 'refine'> {
  if ((await commands.getCommands(true)).includes(CHAT_OPEN_COMMAND)) {
    try {
      await commands.executeCommand(CHAT_OPEN_COMMAND, { query: chatPrompt(failure), mode: 'agent' });
      return 'chat';
    } catch {
      // A chat command that exists but cannot open (no chat provider installed): use Refine.
    }
  }
  await commands.executeCommand(REFINE_COMMAND, refineArg);
  return 'refine';
}

export function chatPrompt(failure: FailureToFix): string {
  const tool = (name: string) => `#${assistToolName(name)}`;
  const where = failure.sourceFolders.length > 0 ? ` Change only the agent's source (${failure.sourceFolders.join(', ')}).` : '';
  return [
    `The coSTAR scenario "${failure.scenarioId}" is red${failure.expectation ? ` at the expectation "${failure.expectation}"` : ''}:`,
    '',
    failure.text.trim(),
    '',
    `Find the cause in its trace (${tool('get_report')}, then ${tool('get_span')}, ${tool('search_trace_regex')} and ${tool('read_artifact')} with its trace id), ` +
      `fix the agent, and run the scenario again with ${tool('run_scenarios')} until it passes, checking with ${tool('diff_runs')} that nothing else broke.${where} ` +
      'Do not edit scenario or judge files: they are the tests.',
  ].join('\n');
}
