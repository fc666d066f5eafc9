// Bench-only extension loaded beside coSTAR into code-server by bench/editor.bench.ts. It lives
// in the extension host, so whatever blocks coSTAR there blocks it too: the bench calls
// GET /ping (which runs the costarBench.ping command) over and over while a trace loads and
// takes the slowest answer as the time the host could not answer a command. Also: the host's
// event-loop delay, memory after a GC, and opening / closing editors the way the workbench does.
// It writes its port to probe.json beside this file (in the run's own extensions folder).
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const vscode = require('vscode');

let server;

function collectGarbage() {
  // The extension host is not started with --expose-gc; this turns it on for a new context.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  gc();
  gc();
}

exports.activate = (context) => {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  context.subscriptions.push(vscode.commands.registerCommand('costarBench.ping', () => Date.now()));
  const errors = [];

  const routes = {
    'GET /ping': async () => ({ at: await vscode.commands.executeCommand('costarBench.ping') }),
    'POST /lag/reset': () => {
      delay.reset();
      return {};
    },
    'GET /lag': () => ({ maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6 }),
    // Opens a file as a double click in the Explorer does (its default editor: coSTAR's custom
    // editor for *.trace.json), or a stored trace by id through coSTAR: Open Trace. Not awaited:
    // the bench watches the webview, and the host must stay free to answer pings.
    'POST /open': (query) => {
      const done = query.get('traceId')
        ? vscode.commands.executeCommand('costar.openTrace', query.get('traceId'))
        : vscode.commands.executeCommand('vscode.open', vscode.Uri.file(query.get('file')));
      Promise.resolve(done).catch((error) => errors.push(String(error && error.stack || error)));
      return {};
    },
    'POST /close': async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      return {};
    },
    'GET /memory': () => {
      collectGarbage();
      const { rss, heapUsed } = process.memoryUsage();
      return { rss, heapUsed };
    },
    'GET /errors': () => ({ errors }),
  };

  server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const route = routes[`${req.method} ${url.pathname}`];
    Promise.resolve()
      .then(() => {
        if (!route) throw new Error(`no route ${req.method} ${url.pathname}`);
        return route(url.searchParams);
      })
      .then(
        (body) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        (error) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(error && error.stack || error));
        },
      );
  });
  // No idle timeout: when the host was blocked, the timer would otherwise close connections just
  // as the bench reuses them.
  server.keepAliveTimeout = 0;
  server.listen(0, '127.0.0.1', () => {
    fs.writeFileSync(path.join(__dirname, 'probe.json'), JSON.stringify({ port: server.address().port, pid: process.pid }));
  });
};

exports.deactivate = () => server && server.close();
