/** Shared steps of the in-editor tests: the extension's API, the workspace, runs, the CLI. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CostarApi } from '../../src/extension/extension';

export const EXTENSION_ID = 'costar.costar-vscode';

export async function costarApi(): Promise<CostarApi> {
  const extension = vscode.extensions.getExtension<CostarApi>(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  const api = await extension.activate();
  await api.discovered();
  return api;
}

export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the tests need a workspace folder open');
  return folder.uri.fsPath;
}

export function extensionDir(): string {
  return vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
}

/** Follows labels from the root: ['ws', 'greetings.scenario.yaml', 'polite']. */
export function itemAt(api: CostarApi, labels: string[]): vscode.TestItem {
  let items = api.tree.workspaceItems();
  let found: vscode.TestItem | undefined;
  for (const label of labels) {
    found = items.find((item) => item.label === label);
    if (!found) throw new Error(`no test item "${label}" among ${items.map((i) => i.label).join(', ')} (path ${labels.join(' > ')})`);
    items = [];
    found.children.forEach((child) => items.push(child));
  }
  return found!;
}

export function childrenOf(item: vscode.TestItem): vscode.TestItem[] {
  const children: vscode.TestItem[] = [];
  item.children.forEach((child) => children.push(child));
  return children;
}

/** Runs a profile the way the Test Explorer does: a TestRunRequest and a cancellation token. */
export async function runProfile(
  profile: vscode.TestRunProfile,
  include: vscode.TestItem[] | undefined,
  exclude: vscode.TestItem[] = [],
  token = new vscode.CancellationTokenSource().token,
): Promise<void> {
  await profile.runHandler(new vscode.TestRunRequest(include, exclude, profile), token);
}

/** Runs dist/cli.js with the extension host's Node (plain Node mode). */
export function runCli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(extensionDir(), 'dist', 'cli.js'), ...args], {
      cwd,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** How many times the fixture agent started: it appends its prompt to .costar/fixture-agent-runs.log. */
export function agentRuns(): number {
  const log = path.join(workspaceDir(), '.costar', 'fixture-agent-runs.log');
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0;
}
