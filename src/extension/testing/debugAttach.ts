/**
 * The Debug profile's editor side: for each process the harness says waits for a debugger
 * (a `debuggee` event), start a VS Code debug session that attaches to it. Stop on one of
 * them cancels the run: a debug adapter tracker sees the editor ask to disconnect before the
 * adapter said the program terminated. Every session's end is also reported to the harness,
 * which cancels the run if the agent is still running a moment later. A cancelled or finished
 * run stops its sessions.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import type * as vscodeTypes from 'vscode';
import type { Debuggee } from '../../core/run/protocol';
import type { VSCode } from '../vscodeApi';

/** Marks a debug configuration as one of a coSTAR run's, so its session's end can be told apart. */
export const ATTEMPT_MARK = 'costarAttempt';

interface AttemptRef {
  runId: string;
  scenarioId: string;
  attempt: number;
}

/** The VS Code debug configuration that attaches to a debuggee. */
export function attachConfiguration(debuggee: Debuggee, ref: AttemptRef): vscodeTypes.DebugConfiguration {
  const name = `coSTAR: ${ref.scenarioId}`;
  const mark = { [ATTEMPT_MARK]: ref };
  if (debuggee.kind === 'custom') return { name, request: 'attach', ...debuggee.configuration, type: String(debuggee.configuration?.type), ...mark };
  if (debuggee.kind === 'python') {
    return {
      type: 'debugpy', request: 'attach', name,
      connect: { host: debuggee.host, port: debuggee.port },
      // Breakpoints in a workspace file bind in its sandbox copy (setup.files).
      pathMappings: debuggee.mappings.map((m) => ({ localRoot: m.local, remoteRoot: m.remote })),
      justMyCode: true,
      ...mark,
    };
  }
  const roots = nodeRoots(debuggee.mappings);
  return {
    type: 'node', request: 'attach', name,
    address: debuggee.host, port: debuggee.port,
    // The agent stopped before its first line only so breakpoints could be set: run on.
    continueOnAttach: true,
    // Each Node process of the agent announces itself and gets its own session.
    autoAttachChildProcesses: false,
    cwd: debuggee.cwd,
    skipFiles: ['<node_internals>/**'],
    ...(roots ? { localRoot: roots.local, remoteRoot: roots.remote } : {}),
    ...mark,
  };
}

/**
 * js-debug maps one folder: the first copied folder (setup.files), else the folder of a copied
 * script. An agent that runs from the workspace itself needs no mapping.
 */
function nodeRoots(mappings: Debuggee['mappings']): { local: string; remote: string } | undefined {
  const isDir = (file: string) => {
    try {
      return statSync(file).isDirectory();
    } catch {
      return false;
    }
  };
  const folder = mappings.find((m) => isDir(m.local));
  if (folder) return folder;
  const script = mappings.find((m) => /\.[cm]?[jt]sx?$/.test(m.local));
  return script ? { local: path.dirname(script.local), remote: path.dirname(script.remote) } : undefined;
}

/** What to tell a user whose editor has no debugger for this type. */
export function missingDebuggerMessage(type: string, scenarioId: string): string {
  const install = type === 'debugpy'
    ? 'Install the Python Debugger extension (ms-python.debugpy)'
    : `Install the extension that provides debug type "${type}" (the type in costar.yaml's debug.configuration)`;
  return `coSTAR can't debug "${scenarioId}": no debugger for "${type}" is installed. ${install}, then debug again. The run is cancelled.`;
}

export interface AttachTarget {
  /** Tells the harness a session ended (it cancels the run if the agent still runs). */
  debuggerDetached(scenarioId: string, attempt: number): void;
  cancel(): void;
}

export class DebugAttacher implements vscodeTypes.Disposable {
  private readonly sessions = new Set<vscodeTypes.DebugSession>();
  /** Sessions whose program ended by itself (the adapter sent `terminated` or `exited`). */
  private readonly programEnded = new Set<string>();
  private readonly subscriptions: vscodeTypes.Disposable[];
  private stopped = false;

  constructor(
    private readonly vscode: VSCode,
    private readonly runId: string,
    private readonly workspaceDir: string,
    private readonly target: AttachTarget,
    private readonly say: (scenarioId: string, text: string) => void,
  ) {
    this.subscriptions = [
      vscode.debug.onDidStartDebugSession((session) => {
        if (this.ours(session)) this.sessions.add(session);
      }),
      vscode.debug.onDidTerminateDebugSession((session) => {
        const ref = this.ours(session);
        if (!ref || !this.sessions.delete(session)) return;
        this.target.debuggerDetached(ref.scenarioId, ref.attempt);
      }),
      vscode.debug.registerDebugAdapterTrackerFactory('*', {
        createDebugAdapterTracker: (session) => (this.ours(session) ? this.tracker(session) : undefined),
      }),
    ];
  }

  private tracker(session: vscodeTypes.DebugSession): vscodeTypes.DebugAdapterTracker {
    return {
      onDidSendMessage: (message: { type?: string; event?: string }) => {
        if (message.type === 'event' && (message.event === 'terminated' || message.event === 'exited')) this.programEnded.add(session.id);
      },
      onWillReceiveMessage: (message: { type?: string; command?: string }) => {
        if (message.type !== 'request' || (message.command !== 'disconnect' && message.command !== 'terminate')) return;
        // The user pressed Stop (not the program's end, not our own stopAll): the run is over.
        if (!this.stopped && !this.programEnded.has(session.id)) {
          const ref = this.ours(session)!;
          this.say(ref.scenarioId, 'The debug session was stopped: the run is cancelled.');
          this.stopAll();
          this.target.cancel();
        }
      },
    };
  }

  async attach(scenarioId: string, attempt: number, debuggee: Debuggee): Promise<void> {
    if (this.stopped) return;
    const { vscode } = this;
    const configuration = attachConfiguration(debuggee, { runId: this.runId, scenarioId, attempt });
    if (!hasDebugger(vscode, configuration.type)) {
      const message = missingDebuggerMessage(configuration.type, scenarioId);
      this.say(scenarioId, message);
      this.target.cancel();
      const action = configuration.type === 'debugpy' ? 'Show Python Debugger' : 'Search Extensions';
      void vscode.window.showErrorMessage(message, action).then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.extensions.search', configuration.type === 'debugpy' ? 'ms-python.debugpy' : `@category:debuggers ${configuration.type}`);
      });
      return;
    }
    this.say(scenarioId, `Attaching the ${configuration.type} debugger to ${debuggee.host}:${debuggee.port} (the agent waits for it).`);
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(this.workspaceDir));
    let started = false;
    let why = '';
    try {
      started = await vscode.debug.startDebugging(folder, configuration);
    } catch (error) {
      why = `: ${(error as Error).message}`;
    }
    if (!started) {
      this.say(scenarioId, `The ${configuration.type} debugger could not attach to ${debuggee.host}:${debuggee.port}${why}. The run is cancelled.`);
      this.target.cancel();
    }
  }

  /** Ends every session of the run (cancel, or the run is over). */
  stopAll(): void {
    this.stopped = true;
    for (const session of this.sessions) void this.vscode.debug.stopDebugging(session);
  }

  dispose(): void {
    this.stopAll();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private ours(session: vscodeTypes.DebugSession): AttemptRef | undefined {
    const ref = session.configuration[ATTEMPT_MARK] as AttemptRef | undefined;
    return ref?.runId === this.runId ? ref : undefined;
  }
}

function hasDebugger(vscode: VSCode, type: string): boolean {
  return vscode.extensions.all.some((extension) => {
    const debuggers = (extension.packageJSON as { contributes?: { debuggers?: { type?: string }[] } } | undefined)?.contributes?.debuggers;
    return debuggers?.some((d) => d.type === type) ?? false;
  });
}
