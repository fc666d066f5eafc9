/**
 * The editor registration of coSTAR's assistant side against a small fake of the APIs it uses:
 * the MCP server definition (costar mcp for the open workspace, only when trusted, refreshed
 * when trust is granted; nothing on editors without the API) and the Language Model Tool
 * stand-ins (one per contributed tool, the catalog loaded on the first call only).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscodeTypes from 'vscode';
import { registerAssistantTools, registerMcpServer, MCP_PROVIDER_ID } from '../../src/extension/assist/register';
import type { VSCode } from '../../src/extension/vscodeApi';

class Definition {
  constructor(readonly label: string, readonly command: string, readonly args: string[], readonly env: Record<string, string>, readonly version: string) {}
}

function fakeEditor(options: { trusted: boolean; mcp: boolean }) {
  let trustListener: (() => void) | undefined;
  const providers = new Map<string, { provideMcpServerDefinitions(): unknown[]; onDidChangeMcpServerDefinitions?: (l: () => void) => unknown }>();
  const tools = new Map<string, vscodeTypes.LanguageModelTool<unknown>>();
  const changes: number[] = [];
  const disposable = { dispose() {} };
  const vscode = {
    workspace: { isTrusted: options.trusted, onDidGrantWorkspaceTrust: (l: () => void) => ((trustListener = l), disposable) },
    EventEmitter: class {
      private listeners: (() => void)[] = [];
      event = (l: () => void) => (this.listeners.push(l), disposable);
      fire() { changes.push(1); for (const l of this.listeners) l(); }
      dispose() {}
    },
    lm: {
      registerTool: (name: string, tool: vscodeTypes.LanguageModelTool<unknown>) => (tools.set(name, tool), disposable),
      ...(options.mcp ? { registerMcpServerDefinitionProvider: (id: string, provider: any) => (providers.set(id, provider), disposable) } : {}),
    },
    ...(options.mcp ? { McpStdioServerDefinition: Definition } : {}),
  };
  const context = {
    extension: { packageJSON: { version: '9.9.9', contributes: { languageModelTools: [{ name: 'costar_list_scenarios' }, { name: 'costar_run_scenarios' }] } } },
    asAbsolutePath: (p: string) => `/ext/${p}`,
  };
  return { vscode: vscode as unknown as VSCode, context: context as unknown as vscodeTypes.ExtensionContext, providers, tools, changes, grantTrust: () => trustListener?.(), setTrusted: (t: boolean) => (vscode.workspace.isTrusted = t) };
}

test('the MCP server definition runs costar mcp on the open workspace, only in a trusted one', () => {
  const editor = fakeEditor({ trusted: false, mcp: true });
  registerMcpServer(editor.vscode, editor.context, () => '/repo/ws');
  const provider = editor.providers.get(MCP_PROVIDER_ID)!;
  assert.deepEqual(provider.provideMcpServerDefinitions(), [], 'nothing is offered before the workspace is trusted');
  editor.setTrusted(true);
  editor.grantTrust();
  assert.equal(editor.changes.length, 1, 'granting trust refreshes the list');
  const [definition] = provider.provideMcpServerDefinitions() as Definition[];
  assert.deepEqual({ ...definition }, { label: 'coSTAR', command: process.execPath, args: ['/ext/dist/cli.js', 'mcp', '--workspace', '/repo/ws'], env: { ELECTRON_RUN_AS_NODE: '1' }, version: '9.9.9' });
});

test('editors without the MCP provider API get no provider, and no error', () => {
  const editor = fakeEditor({ trusted: true, mcp: false });
  assert.deepEqual(registerMcpServer(editor.vscode, editor.context, () => '/repo/ws'), []);
});

test('one tool stand-in per contributed tool; the catalog loads on the first call only', async () => {
  const editor = fakeEditor({ trusted: true, mcp: false });
  let loads = 0;
  const calls: string[] = [];
  registerAssistantTools(editor.vscode, editor.context, () => {
    loads++;
    return {
      prepare: (tool) => ({ invocationMessage: tool }),
      invoke: async (tool) => (calls.push(tool), { content: [] }),
    };
  });
  assert.deepEqual([...editor.tools.keys()], ['costar_list_scenarios', 'costar_run_scenarios']);
  assert.equal(loads, 0, 'registering loads nothing');
  const token = {} as vscodeTypes.CancellationToken;
  await editor.tools.get('costar_list_scenarios')!.invoke({ input: {}, toolInvocationToken: undefined } as any, token);
  await editor.tools.get('costar_run_scenarios')!.invoke({ input: {}, toolInvocationToken: undefined } as any, token);
  assert.equal(loads, 1);
  assert.deepEqual(calls, ['costar_list_scenarios', 'costar_run_scenarios']);
});
