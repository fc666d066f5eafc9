/**
 * Every command that can call a model says so when costar.yaml names a key variable the user has
 * not approved (COSTAR_ALLOW_KEY_ENV): the key is not read, and without this line a "needs a
 * model" or a 401 would not say why. The check and its text are core's (unapprovedKeyWarning),
 * the same `costar run` and `rescore` print through the harness.
 */
import type { CliIo } from './command';
import { unapprovedKeyWarning } from '../core/llm/fromEnv';
import { loadConfig } from '../core/scenario/load';

export async function warnUnapprovedKeyEnv(io: CliIo, workspaceDir: string): Promise<void> {
  // A costar.yaml that does not load is the command's own error to report; nothing to add here.
  const { config } = await loadConfig(workspaceDir);
  const warning = unapprovedKeyWarning(io.env, config?.model);
  if (warning) io.stderr.write(`warning: ${warning}\n`);
}
