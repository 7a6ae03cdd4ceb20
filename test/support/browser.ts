import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

// The one way the tests start a browser: Debian's Chromium (or CHROMIUM_PATH, e.g. Chrome on GitHub's
// runners), headless, kept off the network except for what the page itself loads.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

/**
 * Whether the suite can run here. CI (REQUIRE_TOOLS=1 in .ci/run, CI on GitHub) must have the
 * browser, so a missing one fails there; a laptop without it skips and says why.
 */
export function chromiumOrSkip(what: string): boolean {
  if (!haveChromium && (process.env.REQUIRE_TOOLS === '1' || process.env.CI))
    throw new Error(`Chromium is required here: ${CHROMIUM} does not exist (set CHROMIUM_PATH)`);
  if (!haveChromium) console.warn(`skipping ${what}: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
  return haveChromium;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // No sandbox: CI runs as root in a container. The rest stops the browser's own traffic (updates,
    // sync, field trials), so the only requests are the page's.
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--no-first-run',
      '--headless',
    ],
  });
}
