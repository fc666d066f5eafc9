/**
 * The harness process: reads requests (JSON lines) on stdin, writes events (JSON lines) on
 * file descriptor 3. Agents never run inside the editor: a crashing or hanging agent can
 * only take this process down, and the parent can always kill it.
 */
import { setMaxListeners } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { HarnessRequest, PROTOCOL_VERSION, type HarnessEvent } from '../core/run/protocol';
import { HostModelProvider } from '../core/llm/hostProvider';
import { ConfigError, runSuite } from './suite';
import { redactUrlCredentials } from '../core/util/redact';
import { isDiskFull } from '../core/util/atomicWrite';
import { DEFAULT_GRACE_MS } from '../core/process/processTree';
import { DebugDetach } from './debugDetach';

const events = createWriteStream('', { fd: 3 });
// EPIPE here means the parent is gone: handled like the end of stdin below.
events.on('error', () => parentGone());
const emit = (event: HarnessEvent) => events.write(`${JSON.stringify(event)}\n`);
const controller = new AbortController();
// Every running agent, setup command and judge listens for cancel: far more than Node's default 10.
setMaxListeners(0, controller.signal);
let running: Promise<unknown> | undefined;
// Model calls a run started in the editor sends to the editor's model (answered by modelReply).
const host = new HostModelProvider(emit);
// Debug profile: a debug session that ends while its agent still runs cancels the run.
const debugDetach = new DebugDetach((why) => {
  emit({ v: PROTOCOL_VERSION, type: 'log', level: 'info', message: why });
  controller.abort();
});

emit({ v: PROTOCOL_VERSION, type: 'hello', pid: process.pid });

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (!line.trim()) return;
  let request: HarnessRequest;
  try {
    request = HarnessRequest.parse(JSON.parse(line));
  } catch (error) {
    emit({ v: PROTOCOL_VERSION, type: 'fatal', message: `bad request (protocol v${PROTOCOL_VERSION}): ${(error as Error).message}` });
    return;
  }
  if (request.type === 'cancel') {
    controller.abort();
    return;
  }
  if (request.type === 'modelReply') {
    host.answer(request);
    return;
  }
  if (request.type === 'debuggerDetached') {
    void debugDetach.detached(request.scenarioId, request.attempt);
    return;
  }
  if (running) {
    emit({ v: PROTOCOL_VERSION, type: 'fatal', message: 'a run is already in progress in this harness' });
    return;
  }
  running = runSuite(request, emit, controller.signal, host, debugDetach)
    .catch((error: unknown) => {
      if (error instanceof ConfigError) emit({ v: PROTOCOL_VERSION, type: 'fatal', message: redactUrlCredentials(error.message), config: true });
      // A full disk is the user's to fix: what was not written, no stack trace.
      else if (isDiskFull(error)) emit({ v: PROTOCOL_VERSION, type: 'fatal', message: (error as Error).message });
      else emit({ v: PROTOCOL_VERSION, type: 'fatal', message: redactUrlCredentials(`harness failed: ${(error as Error).stack ?? error}`) });
    })
    .finally(() => events.end(() => process.exit(0)));
});

// The parent went away (closed our stdin, or fd 3 broke): stop every agent rather than leave
// orphans. Cancel ends each process tree within its grace period; should anything still hang,
// the exit below ends this process, and the guardian (core/process/treeMarker.ts) kills what
// is left of its trees.
lines.on('close', () => parentGone());
let parentWentAway = false;
function parentGone(): void {
  if (parentWentAway) return;
  parentWentAway = true;
  host.close('the editor that answered model calls went away');
  if (!running) process.exit(0);
  controller.abort();
  setTimeout(() => process.exit(1), DEFAULT_GRACE_MS + 5000).unref();
}
