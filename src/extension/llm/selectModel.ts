/**
 * "coSTAR: Select Model": the editor's chat models (VS Code Language Model API) and the
 * OpenAI-compatible endpoint in one picker; the choice goes into costar.model.provider and
 * costar.model.editorModel of the workspace (user settings without a folder).
 */
import type * as vscodeTypes from 'vscode';
import type { ProviderKind } from '../../core/llm/provider';
import { readSettings } from '../settings';
import type { VSCode } from '../vscodeApi';

export interface ModelChoice {
  provider: ProviderKind;
  /** For vscode: 'vendor/id'. */
  model?: string;
}

export async function selectModelCommand(vscode: VSCode, arg?: unknown): Promise<ModelChoice | undefined> {
  const choice = isChoice(arg) ? arg : await pick(vscode);
  if (!choice) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0];
  const config = vscode.workspace.getConfiguration('costar', folder?.uri);
  const target = folder ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update('model.provider', choice.provider, target);
  if (choice.provider === 'vscode') await config.update('model.editorModel', choice.model ?? '', target);
  void vscode.window.showInformationMessage(
    choice.provider === 'vscode'
      ? `coSTAR: judges and Refine now use the editor's model ${choice.model || '(the first available)'}.`
      : 'coSTAR: judges and Refine now use the OpenAI-compatible endpoint (costar.model.baseUrl / costar.yaml).',
  );
  return choice;
}

async function pick(vscode: VSCode): Promise<ModelChoice | undefined> {
  const models = await vscode.lm.selectChatModels();
  const settings = readSettings(vscode, vscode.workspace.workspaceFolders?.[0]?.uri);
  type Item = vscodeTypes.QuickPickItem & { choice?: ModelChoice };
  const current = settings.modelProvider === 'vscode' ? settings.editorModel : undefined;
  const items: Item[] = [
    { label: "Editor's models", kind: vscode.QuickPickItemKind.Separator },
    ...models.map((m): Item => ({
      label: m.name,
      description: `${m.vendor}/${m.id}${current === `${m.vendor}/${m.id}` ? ' (current)' : ''}`,
      detail: `family ${m.family} · up to ${m.maxInputTokens} input tokens · no API key`,
      choice: { provider: 'vscode', model: `${m.vendor}/${m.id}` },
    })),
    ...(models.length === 0 ? [{ label: 'No editor models: install a chat model provider such as GitHub Copilot' } as Item] : []),
    { label: 'Endpoint', kind: vscode.QuickPickItemKind.Separator },
    {
      label: 'OpenAI-compatible endpoint',
      description: `${settings.modelBaseUrl || 'model.baseUrl of costar.yaml'}${settings.modelProvider === 'openai-compatible' ? ' (current)' : ''}`,
      detail: 'Any OpenAI-compatible URL; the key from "coSTAR: Set API Key"',
      choice: { provider: 'openai-compatible' },
    },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'coSTAR: Select Model', placeHolder: 'Which model should judges and Refine use?' });
  return picked?.choice;
}

function isChoice(arg: unknown): arg is ModelChoice {
  const provider = (arg as ModelChoice | undefined)?.provider;
  return provider === 'vscode' || provider === 'openai-compatible';
}
