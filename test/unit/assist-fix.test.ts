/** "Fix with assistant": the chat prompt, and the fall back to Refine where the editor has no chat. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chatPrompt, CHAT_OPEN_COMMAND, fixWithAssistant, REFINE_COMMAND, type CommandHost } from '../../src/extension/assist/fixWithAssistant';

function host(commands: string[], failing: string[] = []): CommandHost & { calls: [string, unknown][] } {
  const calls: [string, unknown][] = [];
  return {
    calls,
    getCommands: async () => commands,
    executeCommand: async <T>(command: string, arg?: unknown) => {
      calls.push([command, arg]);
      if (failing.includes(command)) throw new Error(`${command} cannot open`);
      return undefined as T;
    },
  };
}

const failure = { scenarioId: 'skewed-income', expectation: 'missing incomes are imputed robustly', text: 'filled with 757333.33, but the median is 47000', sourceFolders: ['agents/analyst'] };

test('opens the chat in agent mode with the failure, its rationale and the coSTAR tools', async () => {
  const editor = host([CHAT_OPEN_COMMAND, REFINE_COMMAND]);
  assert.equal(await fixWithAssistant(editor, failure, 'item'), 'chat');
  assert.equal(editor.calls.length, 1);
  const [command, arg] = editor.calls[0]!;
  assert.equal(command, CHAT_OPEN_COMMAND);
  const { query, mode } = arg as { query: string; mode: string };
  assert.equal(mode, 'agent');
  assert.match(query, /"skewed-income" is red at the expectation "missing incomes are imputed robustly"/);
  assert.match(query, /median is 47000/);
  assert.match(query, /#costar_get_report.*#costar_run_scenarios/s);
  assert.match(query, /Change only the agent's source \(agents\/analyst\)/);
});

test("falls back to coSTAR's Refine when there is no chat, or it cannot open", async () => {
  for (const editor of [host([REFINE_COMMAND]), host([CHAT_OPEN_COMMAND, REFINE_COMMAND], [CHAT_OPEN_COMMAND])]) {
    assert.equal(await fixWithAssistant(editor, failure, 'the test item'), 'refine');
    assert.deepEqual(editor.calls.at(-1), [REFINE_COMMAND, 'the test item']);
  }
});

test('the prompt tells the assistant that scenario and judge files are the tests', () => {
  assert.match(chatPrompt({ ...failure, sourceFolders: [] }), /Do not edit scenario or judge files/);
});
