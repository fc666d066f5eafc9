/**
 * Bundles the in-editor mocha suite (test/integration) into dist/test/integration.js, the
 * extensionTestsPath of both rigs. `vscode` comes from the editor and mocha from
 * node_modules at run time (mocha 11 can be required from CommonJS).
 */
import * as esbuild from 'esbuild';
import * as path from 'node:path';
import { REPO } from './codeServer';

export const INTEGRATION_BUNDLE = path.join(REPO, 'dist', 'test', 'integration.js');

export async function buildIntegrationSuite(): Promise<string> {
  await esbuild.build({
    entryPoints: [path.join(REPO, 'test', 'integration', 'index.ts')],
    outfile: INTEGRATION_BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return INTEGRATION_BUNDLE;
}
