/**
 * The same in-editor suite on a downloaded VS Code desktop, for machines that can download
 * it (not this one: see test/e2e/ for the code-server rig). Usage:
 *   npm run build && node --import tsx test/integration/runTestElectron.ts
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildIntegrationSuite } from '../e2e/buildIntegration';
import { REPO } from '../e2e/codeServer';

async function main(): Promise<void> {
  const extensionTestsPath = await buildIntegrationSuite();
  const runDir = mkdtempSync(path.join(tmpdir(), 'costar-electron-'));
  const workspace = path.join(runDir, 'ws');
  cpSync(path.join(REPO, 'test', 'fixtures', 'editor-ws'), workspace, { recursive: true });
  await runTests({
    extensionDevelopmentPath: REPO,
    extensionTestsPath,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(runDir, 'ud')],
    extensionTestsEnv: { RESULTS_FILE: path.join(runDir, 'results.json') },
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
