/**
 * (A) Runs the mocha suite inside the extension host of a real code-server: the workbench
 * URL payload loads this repo as a development extension with dist/test/integration.js as
 * its tests; the workbench reports the exit code through `codeAutomationExit`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SuiteResults } from '../integration/index';
import { openBrowser } from './browser';
import { REPO, startCodeServer } from './codeServer';
import { INTEGRATION_BUNDLE } from './buildIntegration';
import { waitFor } from './waitFor';

export interface IntegrationRun extends SuiteResults {
  exitCode: number | undefined;
  outsideRequests: string[];
}

export async function runIntegrationSuite(options: {
  runDir: string;
  fixture: string;
  untrusted?: boolean;
  /** COSTAR_SUITE for test/integration/index.ts (e.g. 'refine'); 'untrusted' follows from `untrusted`. */
  suite?: string;
  /** Fixture entries not copied into the workspace (e.g. '.costar'). */
  omit?: string[];
  /** Extension folders installed beside coSTAR (absolute), e.g. a test chat model provider. */
  extensions?: string[];
  /** User settings over the rig's defaults. */
  settings?: Record<string, unknown>;
}): Promise<IntegrationRun> {
  const server = await startCodeServer({
    runDir: options.runDir, fixture: options.fixture, workspaceTrust: options.untrusted,
    ...(options.omit ? { omit: options.omit } : {}), ...(options.settings ? { extraSettings: options.settings } : {}),
    ...(options.extensions ? { installExtensions: options.extensions } : {}),
  });
  const browser = await openBrowser();
  const resultsFile = path.join(options.runDir, 'results.json');
  const consoleLines: string[] = [];
  try {
    let exitCode: number | undefined;
    await browser.page.exposeFunction('codeAutomationExit', (code: number) => {
      exitCode = code;
    });
    browser.page.on('console', (message) => consoleLines.push(message.text()));
    const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const suite = options.untrusted ? 'untrusted' : options.suite;
    const environment = { RESULTS_FILE: resultsFile, ...(suite ? { COSTAR_SUITE: suite } : {}) };
    const payload = [
      ['extensionDevelopmentPath', remote(REPO)],
      ['extensionTestsPath', remote(INTEGRATION_BUNDLE)],
      ['extensionEnvironment', JSON.stringify(environment)],
    ];
    await browser.page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    await waitFor('the in-editor tests to finish (codeAutomationExit)', () => exitCode !== undefined, 300_000, 250);
    const results: SuiteResults = existsSync(resultsFile)
      ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as SuiteResults)
      : { passed: [], failed: [{ title: 'in-editor suite', error: `no results file; exit code ${exitCode}; console:\n${consoleLines.slice(-40).join('\n')}` }] };
    return { ...results, exitCode, outsideRequests: browser.outsideRequests };
  } finally {
    writeFileSync(path.join(options.runDir, 'browser-console.log'), consoleLines.join('\n'));
    await browser.close();
    await server.stop();
  }
}
