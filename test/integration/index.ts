/**
 * Entry point of the in-editor tests (extensionTestsPath): VS Code loads it in the extension
 * host and calls run(). Both rigs use it: code-server (test/e2e/runIntegration.ts) and
 * @vscode/test-electron (runTestElectron.ts). Results are also written as JSON to
 * $RESULTS_FILE, because the browser rig only sees an exit code.
 * COSTAR_SUITE=untrusted selects the suite for a workspace that is not trusted; COSTAR_SUITE=refine
 * the Refine suite, which runs on a copy of the example workspace (scenarios/); COSTAR_SUITE=lm the
 * editor's-models suite (same workspace, with the test chat model provider of test/fixtures/lm-provider);
 * COSTAR_SUITE=debug the Debug profile with the editor's own JavaScript debugger (editor-ws).
 */
import { writeFileSync } from 'node:fs';
import Mocha from 'mocha';

export interface SuiteResults {
  passed: string[];
  failed: { title: string; error: string }[];
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 90_000, color: false });
  // Define describe/it on the global object, then evaluate the bundled test modules.
  mocha.suite.emit('pre-require', globalThis, 'costar-integration', mocha);
  if (process.env.COSTAR_SUITE === 'untrusted') {
    require('./untrusted.test');
  } else if (process.env.COSTAR_SUITE === 'refine') {
    require('./refine.test');
  } else if (process.env.COSTAR_SUITE === 'lm') {
    require('./lmProvider.test');
  } else if (process.env.COSTAR_SUITE === 'debug') {
    require('./debug.test');
  } else {
    require('./discovery.test');
    require('./run.test');
    require('./continuous.test');
    require('./assist.test');
  }
  const results: SuiteResults = { passed: [], failed: [] };
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      if (process.env.RESULTS_FILE) writeFileSync(process.env.RESULTS_FILE, JSON.stringify(results, null, 2));
      if (failures > 0) reject(new Error(`${failures} in-editor test(s) failed`));
      else resolve();
    });
    runner.on('pass', (test) => results.passed.push(test.fullTitle()));
    runner.on('fail', (test, error: Error) => results.failed.push({ title: test.fullTitle(), error: error.stack ?? String(error) }));
  });
}
