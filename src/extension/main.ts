/** Entry point of the extension bundle: the only place that imports 'vscode'. */
import * as vscode from 'vscode';
import { Extension, type CostarApi } from './extension';

export function activate(context: vscode.ExtensionContext): CostarApi {
  return new Extension(vscode, context).activate();
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
