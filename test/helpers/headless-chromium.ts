import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium package (`.ci/run` installs it); the tests never download a browser. */
export const CHROMIUM = process.env.HIVECHECK_CHROMIUM ?? '/usr/bin/chromium';

/** Whether the browser the report test drives is there. */
export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM);
}

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Headless Chromium driven by playwright-core, with a fresh profile directory that is removed on
 * close. Fails with a clear message when the browser is not installed.
 */
export async function launchChromium(): Promise<BrowserContext & AsyncDisposable> {
  if (!existsSync(CHROMIUM)) throw new Error(`headless Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (.ci/run does this), or set HIVECHECK_CHROMIUM`);
  const profile = mkdtempSync(join(tmpdir(), 'hivecheck-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 900 } });
  const close = async (): Promise<void> => {
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  };
  return Object.assign(context, { [Symbol.asyncDispose]: close });
}
