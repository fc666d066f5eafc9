/**
 * `npm run test:editor`: the in-editor mocha suite (trusted and untrusted workspace) and the
 * UI tests, each against a fresh code-server. Run folders (logs, screenshots) are kept under
 * test-results/editor/ when something fails. Last line: "N passed, N failed".
 * Arguments pick parts: `in-editor`, `untrusted`, `refine`, `lm` (the editor's models), `ui`, or one UI test `ui:N` (default: all).
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

  // Refine runs on a copy of the example workspace (without its stored runs).
  if (wanted('refine')) {
    const runDir = path.join(RESULTS, 'integration-refine');
    mkdirSync(runDir, { recursive: true });
    try {
      const results = await runIntegrationSuite({ runDir, fixture: path.join(REPO, 'scenarios'), suite: 'refine', omit: ['.costar'] });
      for (const title of results.passed) report(true, `[in-editor] ${title}`);
      for (const failure of results.failed) report(false, `[in-editor] ${failure.title}`, failure.error);
      report(results.outsideRequests.length === 0, '[in-editor, refine] no request left 127.0.0.1', results.outsideRequests.join('\n'));
    } catch (error) {
      report(false, '[in-editor, refine] suite', (error as Error).stack);
    }
  }

  // The editor's models: a test chat model provider extension beside coSTAR, AI features on.
  if (wanted('lm')) {
    const runDir = path.join(RESULTS, 'integration-lm');
    mkdirSync(runDir, { recursive: true });
    try {
      const results = await runIntegrationSuite({
        runDir, fixture: path.join(REPO, 'scenarios'), suite: 'lm', omit: ['.costar'],
        extensions: [path.join(REPO, 'test', 'fixtures', 'lm-provider')],
        settings: { 'chat.disableAIFeatures': false },
      });
      for (const title of results.passed) report(true, `[in-editor] ${title}`);
      for (const failure of results.failed) report(false, `[in-editor] ${failure.title}`, failure.error);
      report(results.outsideRequests.length === 0, '[in-editor, lm] no request left 127.0.0.1', results.outsideRequests.join('\n'));
    } catch (error) {
      report(false, '[in-editor, lm] suite', (error as Error).stack);
    }
  }

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
