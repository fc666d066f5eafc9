/**
 * "coSTAR: Create Workspace" (`costar.createWorkspace`): `costar init` in the editor. The
 * agent's command is detected in the open folder and offered in a quick pick, with "Enter the
 * command…" for anything else (an input box that checks it as it is typed); then costar.yaml,
 * a first scenario and the .gitignore line are written, never over an existing file, and the
 * scenario opens. The "Get started with coSTAR" walkthrough starts here.
 */
import * as path from 'node:path';
import type * as vscodeTypes from 'vscode';
import type { VSCode } from '../vscodeApi';
import { agentName, detectAgents, type AgentCandidate } from '../../core/init/detectAgent';
import { FIRST_SCENARIO_FILE, InitConflict, splitCommand, writeInit, type InitAgent } from '../../core/init/scaffold';

export const CREATE_WORKSPACE_COMMAND = 'costar.createWorkspace';

export interface InitDeps {
  log(message: string): void;
}

export function registerInit(vscode: VSCode, _context: vscodeTypes.ExtensionContext, deps: InitDeps): vscodeTypes.Disposable[] {
  return [vscode.commands.registerCommand(CREATE_WORKSPACE_COMMAND, () => createWorkspace(vscode, deps))];
}

/** Resolves with the created scenario file, or undefined when the user stopped or nothing was written. */
export async function createWorkspace(vscode: VSCode, deps: InitDeps): Promise<string | undefined> {
  const folder = await pickFolder(vscode);
  if (!folder) return undefined;
  const dir = folder.uri.fsPath;
  const agent = await askAgent(vscode, dir);
  if (!agent) return undefined;
  try {
    await writeInit(dir, agent);
  } catch (error) {
    if (!(error instanceof InitConflict)) throw error;
    void vscode.window.showErrorMessage(`coSTAR: ${error.message}.`);
    return undefined;
  }
  deps.log(`created a coSTAR workspace in ${dir} for agent ${agent.name}: ${agent.command.join(' ')} (${agent.from})`);
  const scenario = path.join(dir, FIRST_SCENARIO_FILE);
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(scenario)));
  // Discovery started before costar.yaml existed: have it look again.
  await vscode.commands.executeCommand('costar.refresh');
  void vscode.window
    .showInformationMessage(`coSTAR: created costar.yaml and a first scenario for "${agent.name}". Run it from the Testing view, or with \`costar run\`.`, 'Open Testing View')
    .then((choice) => (choice ? vscode.commands.executeCommand('workbench.view.testing.focus') : undefined));
  return scenario;
}

async function pickFolder(vscode: VSCode): Promise<vscodeTypes.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    const open = await vscode.window.showInformationMessage("coSTAR: open your agent's folder first; the workspace is created in it.", 'Open Folder…');
    if (open) await vscode.commands.executeCommand('vscode.openFolder');
    return undefined;
  }
  if (folders.length === 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Create the coSTAR workspace in which folder?' });
}

type AgentPick = vscodeTypes.QuickPickItem & { candidate?: AgentCandidate };

async function askAgent(vscode: VSCode, dir: string): Promise<InitAgent | undefined> {
  const { candidates } = detectAgents(dir);
  const fallbackName = candidates[0]?.name ?? agentName(undefined, dir);
  const source = candidates[0]?.source ?? [];
  if (candidates.length > 0) {
    const items: AgentPick[] = [
      ...candidates.map((candidate) => ({ label: candidate.command.join(' '), description: `${candidate.kind} agent, from ${candidate.from}`, candidate })),
      { label: 'Enter the command…', description: 'the program that starts your agent' },
    ];
    const picked = await vscode.window.showQuickPick(items, { placeHolder: 'How does your agent start? (coSTAR runs it once per scenario, in a sandbox)' });
    if (!picked) return undefined;
    if (picked.candidate) return { name: picked.candidate.name, command: picked.candidate.command, source: picked.candidate.source, from: `detected from ${picked.candidate.from}` };
  }
  const text = await vscode.window.showInputBox({
    title: 'coSTAR: the command that starts your agent',
    prompt: 'Run without a shell, from your folder, once per scenario; the prompt arrives on stdin and in COSTAR_PROMPT.',
    placeHolder: 'python agent.py',
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        splitCommand(value);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    },
  });
  if (text === undefined) return undefined;
  return { name: fallbackName, command: splitCommand(text), source, from: 'entered in Create Workspace' };
}
