/**
 * The Test Explorer side of the extension on the fake host: the real Discovery, TestTree and
 * RunHandler (running dist/harness.js), as extension.ts wires them. Shared by the tests of the
 * run handler and of the Refine round flow.
 */
import type * as vscodeTypes from 'vscode';
import { ApiKeyStore } from '../../src/extension/apiKey';
import { RunStatusBar } from '../../src/extension/statusBar';
import { Discovery } from '../../src/extension/testing/discovery';
import { ResultLog } from '../../src/extension/testing/resultLog';
import { RunHandler } from '../../src/extension/testing/runHandler';
import { TestTree } from '../../src/extension/testing/testTree';
import { HARNESS } from '../support/workspace';
import { fakeController, type fakeHost } from './extension-fakeHost';

export async function testingEditor(host: ReturnType<typeof fakeHost>, dir: string) {
  const controller = fakeController();
  const tree = new TestTree(host.vscode, controller as unknown as vscodeTypes.TestController);
  const discovery = new Discovery(host.vscode, tree, host.diagnostics, host.log);
  discovery.start();
  await discovery.settled();
  const handler = new RunHandler({
    vscode: host.vscode, tree, discovery, results: new ResultLog(), log: host.log, harnessPath: HARNESS,
    statusBar: new RunStatusBar(host.vscode),
    apiKeys: new ApiKeyStore(host.vscode, { get: async () => undefined } as unknown as vscodeTypes.SecretStorage),
    workspaceState: memento(),
  });
  const items = (...ids: string[]) => ids.map((id) => tree.scenarioItem(dir, id)!);
  return { controller, tree, discovery, handler, items, dispose: () => discovery.dispose() };
}

/** Bounded wait for a condition (something the extension does on its own). */
export async function until<T>(what: string, read: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function memento(): vscodeTypes.Memento {
  const values = new Map<string, unknown>();
  return {
    keys: () => [...values.keys()],
    get: <T>(key: string, fallback?: T) => (values.has(key) ? (values.get(key) as T) : fallback),
    update: async (key: string, value: unknown) => void values.set(key, value),
  } as vscodeTypes.Memento;
}
