/**
 * VS Code's debug API as an extension sees it, for plain-Node tests of the Debug profile:
 * `startDebugging` records the configuration and hands the new session to `debugger` (the
 * test's stand-in for js-debug or debugpy, which may really connect to the agent) before the
 * session starts. Debug adapter trackers see what VS Code's do: `stop` (the toolbar's Stop, and
 * stopDebugging) is a `disconnect` request, then the session's end; `finish` (the program ended)
 * is the adapter's `terminated` event first. `extensions.all` lists one extension contributing
 * the debugger types the editor has.
 */
import { EventEmitter as Emitter } from './extension-fakeHost';

export interface FakeDebugSession {
  id: string;
  name: string;
  type: string;
  configuration: Record<string, unknown> & { type: string; name: string; request: string };
}

export function fakeDebug(debuggerTypes: string[] = ['node', 'pwa-node']) {
  const started = new Emitter<FakeDebugSession>();
  const terminated = new Emitter<FakeDebugSession>();
  const sessions: FakeDebugSession[] = [];
  const live = new Set<FakeDebugSession>();
  const state: { debugger?: (session: FakeDebugSession) => Promise<boolean> | boolean } = {};
  type Tracker = { onDidSendMessage?(m: unknown): void; onWillReceiveMessage?(m: unknown): void };
  const trackerFactories: { createDebugAdapterTracker(session: FakeDebugSession): Tracker | undefined }[] = [];
  const trackers = new Map<FakeDebugSession, Tracker[]>();
  const stop = (session: FakeDebugSession) => {
    if (!live.has(session)) return;
    for (const tracker of trackers.get(session) ?? []) tracker.onWillReceiveMessage?.({ type: 'request', command: 'disconnect' });
    live.delete(session);
    terminated.fire(session);
  };
  const finish = (session: FakeDebugSession) => {
    for (const tracker of trackers.get(session) ?? []) tracker.onDidSendMessage?.({ type: 'event', event: 'terminated' });
    stop(session);
  };
  const debug = {
    onDidStartDebugSession: started.event,
    onDidTerminateDebugSession: terminated.event,
    startDebugging: async (_folder: unknown, configuration: FakeDebugSession['configuration']) => {
      const session = { id: `session-${sessions.length + 1}`, name: configuration.name, type: configuration.type, configuration };
      sessions.push(session);
      trackers.set(session, trackerFactories.flatMap((f) => f.createDebugAdapterTracker(session) ?? []));
      if (state.debugger && !(await state.debugger(session))) return false;
      live.add(session);
      started.fire(session);
      return true;
    },
    stopDebugging: async (session?: FakeDebugSession) => {
      for (const s of session ? [session] : [...live]) stop(s);
    },
    registerDebugAdapterTrackerFactory: (_type: string, factory: (typeof trackerFactories)[number]) => {
      trackerFactories.push(factory);
      return { dispose: () => trackerFactories.splice(trackerFactories.indexOf(factory), 1) };
    },
  };
  const extensions = { all: [{ id: 'fake.debuggers', packageJSON: { contributes: { debuggers: debuggerTypes.map((type) => ({ type })) } } }] };
  return {
    /** Spread into the fake host (fakeHost's `debug` option). */
    api: { debug, extensions },
    sessions,
    live,
    /** What happens when a session starts: attach for real, or refuse (false). */
    set debugger(attach: (session: FakeDebugSession) => Promise<boolean> | boolean) {
      state.debugger = attach;
    },
    /** The toolbar's Stop. */
    stop,
    /** The program ended and the adapter said so. */
    finish,
  };
}
