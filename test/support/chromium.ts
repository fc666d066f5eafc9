/**
 * Debian's chromium for the browser tests, started by playwright-core with the flags these
 * machines need. Its profile, caches and dconf state go to a temp folder removed on close,
 * never into the user's HOME.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'costar-chromium-'));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...FLAGS, ...extraArgs],
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache') },
  });
  browser.on('disconnected', () => rmSync(home, { recursive: true, force: true }));
  return browser;
}
