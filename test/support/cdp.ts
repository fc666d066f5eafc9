/**
 * The least of a Node debugger, for tests of the Debug profile: finds a waiting Node
 * process's inspector (http://host:port/json/list, as js-debug does), lets it run
 * (Runtime.runIfWaitingForDebugger) and stays attached until its program ends
 * (Runtime.executionContextDestroyed), then disconnects, which lets the process exit.
 * Chrome DevTools protocol over the `ws` package.
 */
import WebSocket from 'ws';

export async function inspectorUrl(host: string, port: number): Promise<string> {
  const response = await fetch(`http://${host}:${port}/json/list`);
  const [target] = (await response.json()) as { webSocketDebuggerUrl: string }[];
  if (!target) throw new Error(`no inspector target on ${host}:${port}`);
  return target.webSocketDebuggerUrl;
}

/** Resolves when the program has run to its end and the debugger has disconnected. */
export async function runToEnd(url: string): Promise<void> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
  const ended = new Promise<void>((resolve) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { method?: string };
      if (message.method === 'Runtime.executionContextDestroyed') resolve();
    });
    socket.once('close', () => resolve());
  });
  socket.send(JSON.stringify({ id: 1, method: 'Runtime.enable' }));
  socket.send(JSON.stringify({ id: 2, method: 'Runtime.runIfWaitingForDebugger' }));
  await ended;
  socket.close();
}
