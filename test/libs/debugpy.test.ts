/**
 * The Debug profile with a Python agent and the real debugpy (test venv): the harness starts
 * `python -m debugpy --listen 127.0.0.1:PORT --wait-for-client agent.py` in the sandbox and
 * announces the port once debugpy listens; a minimal Debug Adapter Protocol client attaches as
 * VS Code would (initialize, attach with the announced pathMappings, a breakpoint in the
 * workspace's source file, configurationDone), sees the breakpoint hit in the sandbox copy,
 * continues, and the run completes with its verdict.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import * as path from 'node:path';
import { startRun } from '../../src/core/run/client';
import { attachConfiguration } from '../../src/extension/testing/debugAttach';
import type { HarnessEvent } from '../../src/core/run/protocol';
import { HARNESS, tempWorkspace } from '../support/workspace';
import { waitFor } from '../e2e/waitFor';
import { VENV_PYTHON } from './realAgents';

const AGENT = `import sys

prompt = sys.stdin.read().strip()
words = len(prompt.split())
print(f"{words} words")  # line 5: the breakpoint
`;

interface DapMessage {
  seq: number;
  type: 'request' | 'response' | 'event';
  command?: string;
  event?: string;
  success?: boolean;
  message?: string;
  body?: Record<string, unknown>;
}

/** Content-Length framed DAP over one TCP connection: requests out, responses and events in. */
class DapClient {
  private seq = 0;
  private buffer = Buffer.alloc(0);
  readonly received: DapMessage[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const headerEnd = this.buffer.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())![1]);
        if (this.buffer.length < headerEnd + 4 + length) return;
        this.received.push(JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString()) as DapMessage);
        this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      }
    });
  }

  static async connect(host: string, port: number): Promise<DapClient> {
    const socket = connect(port, host);
    await new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('error', reject));
    return new DapClient(socket);
  }

  /** Sends a request; its response is awaited with `response(seq)`. */
  send(command: string, args: Record<string, unknown> = {}): number {
    const body = JSON.stringify({ seq: ++this.seq, type: 'request', command, arguments: args });
    this.socket.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return this.seq;
  }

  async response(requestSeq: number, command: string): Promise<DapMessage> {
    const message = await waitFor(`the ${command} response`, () => this.received.find((m) => m.type === 'response' && (m as { request_seq?: number }).request_seq === requestSeq), 60_000, 20);
    assert.ok(message.success, `${command} failed: ${message.message}`);
    return message;
  }

  event(name: string, after = 0): Promise<DapMessage> {
    return waitFor(`the ${name} event`, () => this.received.slice(after).find((m) => m.type === 'event' && m.event === name), 60_000, 20);
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('the Debug profile with debugpy', { timeout: 120_000 }, () => {
  const ws = tempWorkspace({
    'src/agent.py': AGENT,
    // agent.py is not in the workspace root: the agent runs its sandbox copy.
    'costar.yaml': `agents:\n  counter:\n    command: [${JSON.stringify(VENV_PYTHON)}, -u, agent.py]\n`,
    'count.scenario.yaml': `scenarios:
  - id: count
    prompt: three little words
    setup: { files: { agent.py: src/agent.py } }
    expectations:
      - judge: contains
        with: { text: '3 words', in: stdout }
`,
  });
  after(() => ws.dispose());

  it('waits for the client, stops at a breakpoint set in the workspace source, and completes once continued', async () => {
    assert.ok(existsSync(VENV_PYTHON), 'the test venv exists (npm run test:libs creates it)');
    const events: HarnessEvent[] = [];
    const handle = startRun({ workspaceDir: ws.dir, mode: 'run', debug: true }, { harnessPath: HARNESS, onEvent: (e) => events.push(e) });
    const { debuggee } = await waitFor('the debuggee event', () => events.find((e) => e.type === 'debuggee'), 60_000, 20);
    assert.equal(debuggee.kind, 'python');
    const source = path.join(ws.dir, 'src', 'agent.py');
    assert.deepEqual(debuggee.mappings, [{ local: source, remote: path.join(debuggee.cwd, 'agent.py') }]);

    // It waits for its client: a while after the announcement it has printed nothing.
    const announcedAt = Date.now();
    await waitFor('a while to pass', () => Date.now() - announcedAt > 2000, 10_000, 20);
    assert.equal(events.some((e) => e.type === 'output' && e.stream === 'stdout'), false, 'the agent waits for the debugger');

    const dap = await DapClient.connect(debuggee.host, debuggee.port);
    try {
      await dap.response(dap.send('initialize', { clientID: 'costar-test', adapterID: 'debugpy', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true }), 'initialize');
      // VS Code sends the Debug profile's configuration as the attach arguments: the sandbox copy maps to the source.
      const attach = dap.send('attach', attachConfiguration(debuggee, { runId: handle.runId, scenarioId: 'count', attempt: 1 }));
      await dap.event('initialized');
      const breakpoints = await dap.response(dap.send('setBreakpoints', { source: { path: source }, breakpoints: [{ line: 5 }] }), 'setBreakpoints');
      assert.equal((breakpoints.body!.breakpoints as { verified: boolean }[])[0]!.verified, true);
      await dap.response(dap.send('configurationDone'), 'configurationDone');
      await dap.response(attach, 'attach');

      const stopped = await dap.event('stopped');
      assert.equal(stopped.body!.reason, 'breakpoint');
      const threadId = stopped.body!.threadId as number;
      const stack = await dap.response(dap.send('stackTrace', { threadId, levels: 1 }), 'stackTrace');
      const frame = (stack.body!.stackFrames as { line: number; source: { path: string } }[])[0]!;
      assert.deepEqual({ path: frame.source.path, line: frame.line }, { path: source, line: 5 }, 'the frame is in the workspace file, not the copy');
      assert.equal(events.some((e) => e.type === 'attemptFinished'), false, 'the agent is paused, not finished');

      const seen = dap.received.length;
      await dap.response(dap.send('continue', { threadId }), 'continue');
      await dap.event('terminated', seen);
    } finally {
      dap.close();
    }
    const report = await handle.done;
    const scenario = report.scenarios[0]!;
    assert.equal(scenario.status, 'passed', JSON.stringify(scenario));
    assert.equal(scenario.attempts[0]!.verdicts[0]!.outcome, 'passed');
  });
});
