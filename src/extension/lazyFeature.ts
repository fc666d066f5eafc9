/**
 * Features used now and then (Refine, labeling, the dashboard, the run diff) are bundles of
 * their own (dist/features/*.js), loaded the first time one of their commands runs. Until
 * then each of their commands is a stand-in that loads the feature, which registers the real
 * commands, and replays the call. Activation so parses only what the Test Explorer needs,
 * and a model client or a chart is never loaded by someone who never asks for one.
 */
import type * as vscodeTypes from 'vscode';
import type { VSCode } from './vscodeApi';

/** Command ids this extension contributes in package.json that start with `prefix`. */
export function contributedCommands(context: vscodeTypes.ExtensionContext, ...prefixes: string[]): string[] {
  const commands = (context.extension.packageJSON as { contributes?: { commands?: { command: string }[] } }).contributes?.commands ?? [];
  return commands.map((c) => c.command).filter((id) => prefixes.some((prefix) => id === prefix || id.startsWith(`${prefix}.`)));
}

export function registerLazily(vscode: VSCode, commandIds: string[], load: () => vscodeTypes.Disposable[]): vscodeTypes.Disposable {
  let stubs: vscodeTypes.Disposable[] = [];
  let loaded: vscodeTypes.Disposable[] | undefined;
  const ensureLoaded = () => {
    if (loaded) return;
    for (const stub of stubs.splice(0)) stub.dispose();
    loaded = load();
  };
  stubs = commandIds.map((id) =>
    vscode.commands.registerCommand(id, (...args: unknown[]) => {
      ensureLoaded();
      return vscode.commands.executeCommand(id, ...args);
    }),
  );
  return {
    dispose() {
      for (const d of [...stubs.splice(0), ...(loaded ?? [])]) d.dispose();
    },
  };
}
