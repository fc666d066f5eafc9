/**
 * Starts the harness process and turns its event stream into callbacks and a final report.
 * Used by the CLI and the extension host alike.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ProviderReply } from '../llm/provider';
import type { ChatRequest } from '../llm/types';
import { HOST_MODEL_VERSION, PROTOCOL_VERSION, type HarnessEvent, type HostModelFailure, type RunReport, type RunRequest } from './protocol';
import { checkHarnessEvent } from './messages';
import { signalGroup } from '../process/processTree';
import { newRunId } from './runStore';

export type RunOptions = Omit<RunRequest, 'v' | 'type' | 'runId'> & { runId?: string };

export interface RunClientOptions {
  /** Absolute path of dist/harness.js. */
  harnessPath: string;
  onEvent?(event: HarnessEvent): void;
  /** Lines the harness process printed itself (not protocol events). */
  onLog?(line: string): void;
  /** Environment of the harness process (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** How long cancel waits for the harness to stop its agents before killing everything. */
  cancelGraceMs?: number;
  /**
   * Answers the harness's model calls for a run with `hostModel` (the editor's model). One
   * call per request; `signal` aborts when the harness gave up on it.
   */
  answerModel?(model: string, request: ChatRequest, signal: AbortSignal): Promise<{ reply: ProviderReply } | { failure: HostModelFailure }>;
}

export interface RunHandle {
  readonly runId: string;
  cancel(): void;
  /** Debug profile: the debug session of this attempt ended (the harness cancels the run if its agent still runs). */
  debuggerDetached(scenarioId: string, attempt: number): void;
  /** Resolves with the report; rejects with a RunFailure when the run could not happen. */
  readonly done: Promise<RunReport>;
}

/** The run could not happen: `config` is true when the workspace's files must be fixed first. */
export class RunFailure extends Error {
  constructor(message: string, readonly config: boolean) {
    super(message);
  }
}

export function startRun(options: RunOptions, client: RunClientOptions): RunHandle {
  const runId = options.runId ?? newRunId();
  const child = spawn(process.execPath, [client.harnessPath], {
    // fd 3 carries protocol events; stdout/stderr are the harness's own log.
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    // Inside the editor, process.execPath is Electron: make it behave as plain Node.
    env: { ...(client.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
  });
  const agentPids = new Set<number>();
  let report: RunReport | undefined;
  let fatal: RunFailure | undefined;
  let protocolError: string | undefined;

  const eventLines = createInterface({ input: child.stdio[3] as Readable });
  eventLines.on('line', (line) => {
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      client.onLog?.(`[harness protocol] unreadable line: ${line.slice(0, 200)}`);
      return;
    }
    const checked = checkHarnessEvent(data);
    if (!checked.ok) {
      // A harness of another build: nothing it says can be trusted to mean what we think.
      protocolError ??= checked.problem;
      child.kill('SIGKILL');
      return;
    }
    const event = checked.value;
    if (event.type === 'modelRequest' || event.type === 'modelCancel') return answerModel(event);
    if (event.type === 'attemptStarted' && event.pid) agentPids.add(event.pid);
    if (event.type === 'runFinished') report = event.report;
    if (event.type === 'fatal') fatal = new RunFailure(event.message, event.config ?? false);
    client.onEvent?.(event);
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => client.onLog?.(line));
  }

  const done = new Promise<RunReport>((resolve, reject) => {
    child.on('error', (error) => reject(new RunFailure(`cannot start the harness (${client.harnessPath}): ${error.message}`, false)));
    child.on('close', (code, signal) => {
      // A harness that died or was cancelled may have left agents behind: none may survive it.
      // (After a normal finish the harness has already swept every group itself.)
      if (!report || cancelled) for (const pid of agentPids) signalGroup(pid, 'SIGKILL');
      if (report) resolve(report);
      else reject(fatal ?? new RunFailure(protocolError ?? `the harness stopped before finishing the run (${signal ?? `exit code ${code}`})`, false));
    });
  });
  // Nobody may be listening to `done` yet; don't let an early failure be "unhandled".
  done.catch(() => undefined);

  const modelCalls = new Map<string, AbortController>();
  const answerModel = (event: Extract<HarnessEvent, { type: 'modelRequest' | 'modelCancel' }>) => {
    if (event.type === 'modelCancel') return modelCalls.get(event.id)?.abort();
    const send = (answer: { reply: ProviderReply } | { failure: HostModelFailure }) => {
      modelCalls.delete(event.id);
      if (child.exitCode === null && child.stdin!.writable) child.stdin!.write(`${JSON.stringify({ v: PROTOCOL_VERSION, type: 'modelReply', version: HOST_MODEL_VERSION, id: event.id, ...answer })}\n`);
    };
    if (event.version !== HOST_MODEL_VERSION || !client.answerModel) {
      const why = client.answerModel ? `model calls v${String(event.version)}, this client v${HOST_MODEL_VERSION}: rebuild (npm run build)` : 'this client does not answer model calls';
      return send({ failure: { kind: 'refused', message: `the harness asked its parent for a model call, but ${why}` } });
    }
    const abort = new AbortController();
    modelCalls.set(event.id, abort);
    client.answerModel(event.model, event.request, abort.signal).then(send, (error: unknown) =>
      send({ failure: { kind: 'unreachable', message: `the editor's model failed: ${(error as Error)?.message ?? String(error)}` } }),
    );
  };

  let cancelled = false;
  child.stdin!.write(`${JSON.stringify({ v: PROTOCOL_VERSION, type: 'run', runId, ...options })}\n`);

  return {
    runId,
    done,
    debuggerDetached(scenarioId, attempt) {
      if (child.exitCode === null && child.stdin!.writable) child.stdin!.write(`${JSON.stringify({ v: PROTOCOL_VERSION, type: 'debuggerDetached', scenarioId, attempt })}\n`);
    },
    cancel() {
      if (cancelled || child.exitCode !== null) return;
      cancelled = true;
      child.stdin!.write(`${JSON.stringify({ v: PROTOCOL_VERSION, type: 'cancel' })}\n`);
      // A harness that does not wind down in time is killed, and its agents with it.
      const timer = setTimeout(() => {
        for (const pid of agentPids) signalGroup(pid, 'SIGKILL');
        child.kill('SIGKILL');
      }, client.cancelGraceMs ?? 10_000);
      timer.unref();
      child.on('close', () => clearTimeout(timer));
    },
  };
}
