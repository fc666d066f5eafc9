/**
 * Activation-time registration of the assistant integration, kept light: Language Model Tool
 * stand-ins that load the tool catalog on their first call, and the MCP server definition
 * (`costar mcp` for the open workspace) where the editor has the MCP provider API (VS Code
 * 1.101+; feature-detected, as the extension supports older editors). Neither is offered in
 * an untrusted workspace's MCP list; the tools refuse runs there (assist/index.ts).
 */
import type * as vscodeTypes from 'vscode';
import type { VSCode } from '../vscodeApi';
import type { AssistFeature } from './index';

interface ContributedTool {
  name: string;
}

/** The `languageModelTools` this extension contributes in package.json. */
function contributedTools(context: vscodeTypes.ExtensionContext): string[] {
  const tools = (context.extension.packageJSON as { contributes?: { languageModelTools?: ContributedTool[] } }).contributes?.languageModelTools ?? [];
  return tools.map((t) => t.name);
}

export function registerAssistantTools(vscode: VSCode, context: vscodeTypes.ExtensionContext, load: () => AssistFeature): vscodeTypes.Disposable[] {
  if (typeof vscode.lm?.registerTool !== 'function') return [];
  let feature: AssistFeature | undefined;
  const assist = () => (feature ??= load());
  return contributedTools(context).map((name) =>
    vscode.lm.registerTool<unknown>(name, {
      prepareInvocation: (options) => assist().prepare(name, options.input),
      invoke: (options, token) => assist().invoke(name, options.input, token),
    }),
  );
}

/** The slice of the MCP provider API (vscode.lm.registerMcpServerDefinitionProvider) used here. */
interface McpApi {
  registerMcpServerDefinitionProvider(id: string, provider: { onDidChangeMcpServerDefinitions?: vscodeTypes.Event<void>; provideMcpServerDefinitions(): unknown[] }): vscodeTypes.Disposable;
}
type McpStdioServerDefinitionCtor = new (label: string, command: string, args?: string[], env?: Record<string, string | number | null>, version?: string) => unknown;

export const MCP_PROVIDER_ID = 'costar.mcp';

export function registerMcpServer(vscode: VSCode, context: vscodeTypes.ExtensionContext, workspaceDir: () => string | undefined): vscodeTypes.Disposable[] {
  const lm = vscode.lm as unknown as Partial<McpApi> | undefined;
  const Definition = (vscode as unknown as { McpStdioServerDefinition?: McpStdioServerDefinitionCtor }).McpStdioServerDefinition;
  if (typeof lm?.registerMcpServerDefinitionProvider !== 'function' || !Definition) return [];
  const changed = new vscode.EventEmitter<void>();
  const provider = lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, {
    onDidChangeMcpServerDefinitions: changed.event,
    provideMcpServerDefinitions: () => {
      const dir = workspaceDir();
      if (!dir || !vscode.workspace.isTrusted) return [];
      const version = (context.extension.packageJSON as { version?: string }).version;
      // The extension host's own runtime runs the CLI; inside Electron it must act as Node.
      return [new Definition('coSTAR', process.execPath, [context.asAbsolutePath('dist/cli.js'), 'mcp', '--workspace', dir], { ELECTRON_RUN_AS_NODE: '1' }, version)];
    },
  });
  return [changed, provider, vscode.workspace.onDidGrantWorkspaceTrust(() => changed.fire())];
}
