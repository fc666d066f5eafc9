/**
 * One attempt of one scenario: sandbox → agent process → trace → store.
 * Judging is separate (see judgeAttempt.ts) so that re-scoring can reuse it without an agent.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { AgentConfig, WorkspaceConfig } from '../core/scenario/schema';
import type { LoadedScenario } from '../core/scenario/load';
import { META, type Trace, type TraceSource } from '../core/trace/model';
import { startOtlpReceiver } from '../core/trace/receiver';
import { readTraceFile } from '../core/trace/traceFile';
import type { TraceStore } from '../core/trace/store';
import { writeFileAtomic } from '../core/util/atomicWrite';
import { formatDuration } from '../core/util/duration';
import { runProcessTree, type ProcessTreeResult } from '../core/process/processTree';
import { collectArtifacts, createSandbox, snapshot } from './sandbox';
import { assembleRunTrace } from './assembleTrace';
import { agentBaseEnv } from './agentEnv';
import { promptFitsEnv } from '../core/scenario/prompt';
import { isolateWithBubblewrap, type Isolated } from './isolation';
import { compareWorkspace, describeOutsideWrites, scannerFor, type OutsideWrite } from './workspaceWatch';
import { attemptPaths } from '../core/layout';
import type { Debuggee } from '../core/run/protocol';
import { DEBUG_HOST, debugLaunch, InspectorAnnouncements, whenListening, type DebugLaunch } from './debugLaunch';

export interface AttemptInput {
  runId: string;
  workspaceDir: string;
  config: WorkspaceConfig;
  scenario: LoadedScenario;
  attempt: number;
  timeoutMs: number;
  store: TraceStore;
  /** sha256 of every judge input, snapshotted before the run: recorded with the trace. */
  judgeDigests?: Record<string, string>;
  signal: AbortSignal;
  onStarted(pid: number): void;
  onOutput(stream: 'stdout' | 'stderr', text: string): void;
  /** Debug profile: start the agent under its debugger (no agent timeout) and say where to attach. */
  debug?: AttemptDebug;
}

export interface AttemptDebug {
  onDebuggee(debuggee: Debuggee): void;
  /** The agent runs; `ended` settles when its process tree is done. */
  onAgentRunning(ended: Promise<unknown>): void;
}

export interface AttemptRecord {
  trace: Trace;
  sandboxDir: string;
  /** Why the agent did not finish normally; undefined when it exited 0. */
  agentError?: string;
  /**
   * Reported but not failing the attempt: outside writes with sandbox.outsideWrites: warn, and
   * what the harness had to cut or clean up (dropped spans, processes left running).
   */
  warnings: string[];
  /** Workspace files created, changed or deleted while the agent ran. */
  outsideWrites: OutsideWrite[];
  exitCode: number | null;
  durationMs: number;
}

/** Bytes of each output stream kept in the trace and streamed to the editor. */
const OUTPUT_CAP_BYTES = 1024 * 1024;

export async function runAttempt(input: AttemptInput): Promise<AttemptRecord> {
  const { scenario, workspaceDir } = input;
  const def = scenario.def;
  const agent = input.config.agents[scenario.agentName];
  if (!agent) throw new Error(`scenario "${def.id}" names agent "${scenario.agentName}", which costar.yaml does not define`);

  const paths = attemptPaths(workspaceDir, input.runId, def.id, input.attempt);
  const sandboxDir = paths.sandbox;
  const scenarioDir = path.dirname(scenario.file);
  await createSandbox(
    sandboxDir,
    Object.fromEntries(Object.entries(def.setup.files).map(([target, source]) => [target, path.resolve(scenarioDir, source)])),
  );

  const scenarioFile = paths.scenarioFile;
  const traceFile = paths.agentTraceFile;
  await writeFileAtomic(scenarioFile, JSON.stringify({ ...def, file: scenario.relFile }, null, 2));

  // Large prompts go by file only: one oversized variable makes the whole spawn fail (E2BIG).
  const promptFile = paths.promptFile;
  await writeFileAtomic(promptFile, def.prompt);
  const baseEnv: NodeJS.ProcessEnv = {
    ...agentBaseEnv(process.env, agent, def),
    ...agent.env,
    ...def.setup.env,
    COSTAR_RUN_ID: input.runId,
    COSTAR_SCENARIO_ID: def.id,
    COSTAR_ATTEMPT: String(input.attempt),
    COSTAR_WORKSPACE: workspaceDir,
    COSTAR_SANDBOX: sandboxDir,
    ...(promptFitsEnv(def.prompt) ? { COSTAR_PROMPT: def.prompt } : {}),
    COSTAR_PROMPT_FILE: promptFile,
    COSTAR_SCENARIO_FILE: scenarioFile,
    COSTAR_TRACE_FILE: traceFile,
  };

  const setupError = await runSetupCommands(def.setup.commands, sandboxDir, baseEnv, input);
  const scanner = scannerFor(workspaceDir);
  const [before, workspaceBefore] = await Promise.all([snapshot(sandboxDir), scanner.current()]);
  const plain = resolveCommand(agent, workspaceDir, sandboxDir);
  const launch = input.debug
    ? await debugLaunch(agent, plain, baseEnv, (argv) => resolveArgv(argv, workspaceDir, sandboxDir), (text) => substitutePaths(text, workspaceDir, sandboxDir))
    : undefined;
  const command = launch?.argv ?? plain;
  // Without a network the debugger (on 127.0.0.1 outside the bwrap namespace) can't reach the agent.
  const debugError = launch && input.config.sandbox.network === 'none' ? 'the Debug profile needs sandbox.network: shared (the debugger connects to the agent over 127.0.0.1)' : undefined;
  const isolated: Isolated =
    input.config.isolation === 'bubblewrap'
      ? await isolateWithBubblewrap(command, { workspaceDir, writableDir: paths.dir, cwd: sandboxDir, network: input.config.sandbox.network })
      : { ok: true, argv: command };
  const startError = setupError ?? debugError ?? (isolated.ok ? undefined : isolated.reason);

  const receiver = await startOtlpReceiver({ token: randomBytes(24).toString('hex'), maxTotalBytes: input.config.defaults.maxSpanMiB * 1024 * 1024 });
  let result: ProcessTreeResult | undefined;
  let neverDebugged = false;
  try {
    if (!startError && isolated.ok) {
      const debuggee = launch && input.debug ? announcer(launch, input.debug, { cwd: sandboxDir, workspaceDir, mappings: sandboxMappings(def.setup.files, scenarioDir, sandboxDir) }) : undefined;
      const tree = runProcessTree({
        argv: isolated.argv,
        cwd: sandboxDir,
        env: { ...baseEnv, ...launch?.env, ...receiver.env(), OTEL_SERVICE_NAME: baseEnv.OTEL_SERVICE_NAME ?? scenario.agentName },
        stdin: def.prompt,
        // A paused agent is not a hung one: under the debugger only cancel (or the session's end) stops it.
        timeoutMs: launch ? undefined : input.timeoutMs,
        signal: input.signal,
        outputCapBytes: OUTPUT_CAP_BYTES,
        onOutput: (stream, text) => {
          if (stream === 'stderr') debuggee?.stderr(text);
          input.onOutput(stream, text);
        },
        onStarted: (pid) => {
          input.onStarted(pid);
          debuggee?.started();
        },
        // bwrap makes the agent's PID namespace itself (--unshare-pid, --die-with-parent).
        pidNamespace: input.config.isolation !== 'bubblewrap',
      });
      input.debug?.onAgentRunning(tree);
      result = await tree;
      neverDebugged = debuggee?.ended() === false;
    }
  } finally {
    await receiver.close();
  }

  const agentSpans = receiver.spans().flatMap((t) => t.spans);
  const fileTraces = existsSync(traceFile) ? await readAgentTraceFile(traceFile) : { traces: [], error: undefined };
  const dropped = receiver.dropped();
  const harnessWarnings = [
    ...(dropped ? [`the agent sent ${dropped.spans} more spans (${formatBytes(dropped.bytes)}) after the ${formatBytes(dropped.capBytes)} per-attempt span cap; they were dropped`] : []),
    ...(result?.sweptProcesses ? [`${result.sweptProcesses} process(es) of the agent were still running when it ${result.killedBecause ? 'was stopped' : 'exited'}; they were killed`] : []),
    ...(result?.outputCut ? ['a process outside the agent\'s process tree kept its stdout/stderr open; output after the agent exited is missing'] : []),
    // Debug profile: NODE_OPTIONS reaches only Node programs; anything else ran as in a plain run.
    ...(neverDebugged && !result?.killedBecause
      ? [`the agent never waited for a debugger (no Node inspector or debug port opened): an agent that is neither Node nor Python needs a debug command in costar.yaml (see docs/debugging.md)`]
      : []),
  ];
  const source: TraceSource = agentSpans.length > 0 ? 'otlp' : fileTraces.traces.length > 0 ? 'file' : 'fallback';
  const agentFailure = describeAgentFailure(result, input.timeoutMs);
  const outsideWrites = compareWorkspace(workspaceBefore, await scanner.fresh());
  const outsideMessage = outsideWrites.length > 0 ? describeOutsideWrites(outsideWrites) : undefined;
  const strict = input.config.sandbox.outsideWrites === 'error';
  const failures = [startError ?? (agentFailure && withStderrTail(agentFailure, result)) ?? fileTraces.error, strict ? outsideMessage : undefined].filter((f): f is string => f !== undefined);
  const agentError = failures.length > 0 ? failures.join('\n') : undefined;
  const warnings = [...harnessWarnings, ...(!strict && outsideMessage ? [outsideMessage] : [])];

  const trace = assembleRunTrace({
    prompt: def.prompt,
    scenarioId: def.id,
    agentSpans: [...agentSpans, ...fileTraces.traces.flatMap((t) => t.spans)],
    process: result,
    error: agentError,
    outsideWrites,
    workspaceWatchTruncated: workspaceBefore.truncated,
    artifacts: await collectArtifacts(sandboxDir, before),
    attributes: {
      ...(dropped ? { 'costar.spans_dropped': dropped.spans, 'costar.span_bytes_dropped': dropped.bytes } : {}),
      ...(result?.sweptProcesses ? { 'costar.processes_swept': result.sweptProcesses } : {}),
      ...(result?.outputCut ? { 'costar.output_cut': true } : {}),
      ...(result?.pidNamespace ? { 'costar.pid_namespace': true } : {}),
    },
    metadata: {
      [META.runId]: input.runId,
      [META.scenarioId]: def.id,
      [META.scenarioFile]: scenario.relFile,
      [META.attempt]: String(input.attempt),
      [META.agent]: scenario.agentName,
      [META.source]: source,
      [META.exitCode]: String(result?.exitCode ?? ''),
      ...(result?.signal ? { [META.signal]: result.signal } : {}),
      ...(input.judgeDigests && Object.keys(input.judgeDigests).length > 0 ? { [META.judgeFiles]: JSON.stringify(input.judgeDigests) } : {}),
    },
  });
  await input.store.put(trace);
  // Judges read the persisted trace, exactly as a later re-score will: same content, same
  // cache keys, and nothing a judge sees exists only in this process's memory.
  const stored = await input.store.get(trace.info.traceId);
  if (!stored) throw new Error(`trace ${trace.info.traceId} vanished from the store right after it was written`);
  return { trace: stored, sandboxDir, agentError, warnings, outsideWrites, exitCode: result?.exitCode ?? null, durationMs: result?.durationMs ?? 0 };
}

/**
 * Arguments that name an existing file relative to the workspace root become absolute,
 * because the agent's working directory is its sandbox, not the workspace.
 * `${workspaceFolder}` and `${sandbox}` are substituted everywhere.
 */
export function resolveCommand(agent: AgentConfig, workspaceDir: string, sandboxDir: string): string[] {
  return resolveArgv(agent.command, workspaceDir, sandboxDir);
}

function substitutePaths(text: string, workspaceDir: string, sandboxDir: string): string {
  return text.replaceAll('${workspaceFolder}', workspaceDir).replaceAll('${sandbox}', sandboxDir);
}

function resolveArgv(argv: string[], workspaceDir: string, sandboxDir: string): string[] {
  return argv.map((arg, index) => {
    const substituted = substitutePaths(arg, workspaceDir, sandboxDir);
    if (substituted !== arg || path.isAbsolute(arg)) return substituted;
    const candidate = path.join(workspaceDir, arg);
    const looksLikePath = index > 0 || arg.includes('/');
    return looksLikePath && existsSync(candidate) ? candidate : arg;
  });
}

async function runSetupCommands(commands: (string | string[])[], cwd: string, env: NodeJS.ProcessEnv, input: AttemptInput): Promise<string | undefined> {
  for (const command of commands) {
    const argv = typeof command === 'string' ? ['/bin/sh', '-c', command] : command;
    const result = await runProcessTree({
      argv, cwd, env, stdin: '', timeoutMs: input.timeoutMs, signal: input.signal, outputCapBytes: 64 * 1024,
      onOutput: input.onOutput,
    });
    const failure = describeAgentFailure(result, input.timeoutMs);
    if (failure) return `setup command ${JSON.stringify(command)} failed: ${failure}${result.stderr ? `\n${result.stderr.trim()}` : ''}`;
  }
  return undefined;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

function describeAgentFailure(result: ProcessTreeResult | undefined, timeoutMs: number): string | undefined {
  if (!result) return undefined;
  if (result.spawnError) return result.spawnError;
  if (result.killedBecause === 'timeout') return `timed out after ${formatDuration(timeoutMs)}; the process tree was killed`;
  if (result.killedBecause === 'cancelled') return 'cancelled';
  if (result.signal) return `the agent was killed by ${result.signal}`;
  if (result.exitCode !== 0) return `the agent exited with code ${result.exitCode}`;
  return undefined;
}

const STDERR_TAIL_LINES = 5;
const STDERR_TAIL_LINE_CHARS = 300;

/**
 * "exited with code 1" alone sends the user hunting in the output pane: the last lines the
 * agent wrote to stderr are usually the cause (a stack trace's message, a missing module).
 */
function withStderrTail(failure: string, result: ProcessTreeResult | undefined): string {
  if (!result || result.killedBecause === 'cancelled') return failure;
  const lines = result.stderr.split(/\r?\n/).map((line) => line.trimEnd()).filter((line) => line.trim() !== '');
  if (lines.length === 0) return failure;
  const tail = lines.slice(-STDERR_TAIL_LINES).map((line) => (line.length > STDERR_TAIL_LINE_CHARS ? `${line.slice(0, STDERR_TAIL_LINE_CHARS)}…` : line));
  return `${failure}; last lines of its stderr:\n${tail.join('\n')}`;
}

async function readAgentTraceFile(file: string): Promise<{ traces: Trace[]; error?: string }> {
  try {
    return { traces: await readTraceFile(file, 'auto') };
  } catch (error) {
    return { traces: [], error: `the agent wrote ${path.basename(file)} (COSTAR_TRACE_FILE) but it could not be read: ${(error as Error).message}` };
  }
}

/**
 * Tells the parent where to attach: a Node process once the inspector announces its port on
 * stderr (each Node process of the agent does), Python and `debug` agents once their port
 * listens (attaching earlier would be refused).
 */
function announcer(launch: DebugLaunch, debug: AttemptDebug, where: Pick<Debuggee, 'cwd' | 'workspaceDir' | 'mappings'>) {
  const base = { kind: launch.kind, host: DEBUG_HOST, ...where, ...(launch.configuration ? { configuration: launch.configuration } : {}) };
  const inspector = launch.kind === 'node' ? new InspectorAnnouncements(({ port, url }) => announce({ ...base, port, url })) : undefined;
  const stopWaiting = new AbortController();
  let announced = false;
  const announce = (debuggee: Debuggee) => {
    announced = true;
    debug.onDebuggee(debuggee);
  };
  return {
    stderr: (text: string) => inspector?.push(text),
    started: () => {
      if (launch.port === undefined) return;
      const port = launch.port;
      void whenListening(port, stopWaiting.signal).then((listening) => listening && announce({ ...base, port }));
    },
    /** Whether any process of the agent waited for a debugger. */
    ended: (): boolean => {
      stopWaiting.abort();
      return announced;
    },
  };
}

/** setup.files as (workspace source, sandbox copy) pairs: a breakpoint in the source must bind in the copy. */
function sandboxMappings(files: Record<string, string>, scenarioDir: string, sandboxDir: string): Debuggee['mappings'] {
  return Object.entries(files).map(([target, source]) => ({ local: path.resolve(scenarioDir, source), remote: path.join(sandboxDir, target) }));
}
