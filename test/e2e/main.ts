/**
 * `npm run test:editor`: the in-editor mocha suite (trusted and untrusted workspace) and the
 * UI tests, each against a fresh code-server. Run folders (logs, screenshots) are kept under
 * test-results/editor/ when something fails. Last line: "N passed, N failed".
 * Arguments pick parts: `in-editor`, `untrusted`, `refine`, `lm` (the editor's models), `debug` (the Debug profile), `ui`, or one UI test `ui:N` (default: all).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { buildIntegrationSuite } from './buildIntegration';
import { CODE_SERVER, REPO } from './codeServer';
import { runIntegrationSuite } from './runIntegration';
import { runUiTest, uiTests } from './ui';

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'editor-ws');
const RESULTS = path.join(REPO, 'test-results', 'editor');

async function main(): Promise<number> {
  if (!existsSync(CODE_SERVER)) throw new Error(`no code-server rig at ${CODE_SERVER}: run scripts/rig/install.sh`);
  if (!existsSync(path.join(REPO, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run npm run build');
  rmSync(RESULTS, { recursive: true, force: true });
  await buildIntegrationSuite();
  let passed = 0;
  let failed = 0;
  const report = (ok: boolean, title: string, detail = '') => {
    if (ok) passed++;
    else failed++;
    console.log(`${ok ? '✔' : '✘'} ${title}${detail ? `\n${detail.replace(/^/gm, '    ')}` : ''}`);
  };

  const parts = process.argv.slice(2);
  const wanted = (part: string) => parts.length === 0 || parts.includes(part);

  for (const untrusted of [false, true].filter((u) => wanted(u ? 'untrusted' : 'in-editor'))) {
    const runDir = path.join(RESULTS, untrusted ? 'integration-untrusted' : 'integration');
    mkdirSync(runDir, { recursive: true });
    try {
      const results = await runIntegrationSuite({ runDir, fixture: FIXTURE, untrusted });
      for (const title of results.passed) report(true, `[in-editor] ${title}`);
      for (const failure of results.failed) report(false, `[in-editor] ${failure.title}`, failure.error);
      report(results.outsideRequests.length === 0, `[in-editor${untrusted ? ', untrusted' : ''}] no request left 127.0.0.1`, results.outsideRequests.join('\n'));
    } catch (error) {
      report(false, `[in-editor${untrusted ? ', untrusted' : ''}] suite`, (error as Error).stack);
    }
  }

  /** One in-editor suite against its own code-server, reported as `[in-editor] title`. */
  const integrationPart = async (name: string, options: Omit<Parameters<typeof runIntegrationSuite>[0], 'runDir' | 'suite'>) => {
    const runDir = path.join(RESULTS, `integration-${name}`);
    mkdirSync(runDir, { recursive: true });
    try {
      const results = await runIntegrationSuite({ runDir, suite: name, ...options });
      for (const title of results.passed) report(true, `[in-editor] ${title}`);
      for (const failure of results.failed) report(false, `[in-editor] ${failure.title}`, failure.error);
      report(results.outsideRequests.length === 0, `[in-editor, ${name}] no request left 127.0.0.1`, results.outsideRequests.join('\n'));
    } catch (error) {
      report(false, `[in-editor, ${name}] suite`, (error as Error).stack);
    }
  };
  // Refine runs on a copy of the example workspace (without its stored runs).
  if (wanted('refine')) await integrationPart('refine', { fixture: path.join(REPO, 'scenarios'), omit: ['.costar'] });
  // The editor's models: a test chat model provider extension beside coSTAR, AI features on.
  if (wanted('lm')) {
    await integrationPart('lm', {
      fixture: path.join(REPO, 'scenarios'), omit: ['.costar'],
      extensions: [path.join(REPO, 'test', 'fixtures', 'lm-provider')],
      settings: { 'chat.disableAIFeatures': false },
    });
  }
  // The Debug profile with the editor's built-in JavaScript debugger (js-debug).
  if (wanted('debug')) await integrationPart('debug', { fixture: FIXTURE });

  for (const [index, test] of uiTests.entries()) {
    if (!wanted('ui') && !wanted(`ui:${index + 1}`)) continue;
    const runDir = path.join(RESULTS, `ui-${index + 1}`);
    mkdirSync(runDir, { recursive: true });
    try {
      await runUiTest(test, runDir, FIXTURE);
      report(true, `[ui] ${test.name}`);
    } catch (error) {
      report(false, `[ui] ${test.name}`, `${(error as Error).stack}\n(screenshot and logs in ${runDir})`);
    }
  }
  if (failed === 0) rmSync(RESULTS, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
