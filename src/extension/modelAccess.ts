/**
 * Workspace Trust and model keys in the editor. Everything that calls a model, runs an agent
 * or a judge module asks `requireTrust` first (the handlers; package.json's `enablement` only
 * hides the commands). And the model environment for the harness, Align and Refine comes from
 * `modelEnvironmentFor`: when costar.yaml names a key variable other than OPENAI_API_KEY /
 * COSTAR_*, its value is read only after the user allowed that variable for that URL, once per
 * workspace (remembered in workspaceState), and never in an untrusted workspace.
 */
import type * as vscodeTypes from 'vscode';
import { ALLOW_KEY_ENV, keyEnvApproved } from '../core/llm/fromEnv';
import type { WorkspaceConfig } from '../core/scenario/schema';
import { redactUrlCredentials } from '../core/util/redact';
import { modelEnvironment, readSettings } from './settings';
import type { VSCode } from './vscodeApi';

const APPROVALS_KEY = 'costar.approvedKeyEnv';

/** False (after telling the user why and how to trust) in an untrusted workspace. */
export function requireTrust(vscode: VSCode, what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showErrorMessage(`coSTAR ${what} only in a trusted workspace: it would run code or send data to a model the workspace names. Trust this workspace first.`, 'Manage Workspace Trust').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}

type ModelFields = Partial<Pick<NonNullable<WorkspaceConfig['model']>, 'apiKeyEnv' | 'baseUrl'>>;

/** `approvals`: the extension's workspaceState (approvals belong to the workspace). */
export async function modelEnvironmentFor(vscode: VSCode, approvals: vscodeTypes.Memento, workspaceDir: string, apiKey: string | undefined, model: ModelFields | undefined): Promise<Record<string, string>> {
  const settings = readSettings(vscode, vscode.Uri.file(workspaceDir));
  const env = modelEnvironment(settings, apiKey, model?.apiKeyEnv);
  const name = model?.apiKeyEnv;
  if (!name || keyEnvApproved(name, process.env) || !vscode.workspace.isTrusted) return env;
  const url = redactUrlCredentials(settings.modelBaseUrl || process.env.COSTAR_MODEL_BASE_URL || model?.baseUrl || 'https://api.openai.com/v1');
  const entry = `${name} ${url}`;
  const approved = approvals.get<string[]>(APPROVALS_KEY, []);
  if (!approved.includes(entry)) {
    const allow = 'Allow';
    const choice = await vscode.window.showWarningMessage(
      `costar.yaml asks coSTAR to send the value of the environment variable ${name} as the model API key to ${url}. Allow this only if you trust that URL with that variable.`,
      { modal: true },
      allow,
    );
    if (choice !== allow) return env;
    await approvals.update(APPROVALS_KEY, [...approved, entry]);
  }
  return { ...env, [ALLOW_KEY_ENV]: name };
}
