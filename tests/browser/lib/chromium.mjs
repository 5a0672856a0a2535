// Launching Debian's Chromium (playwright-core cannot download browsers here).
//
// Env: CHROMIUM (default /usr/bin/chromium).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { chromium } from 'playwright-core';

/** The Chromium binary used by every browser test and benchmark. */
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Headless as root, and quiet: without the background-networking flags Chromium keeps
 * trying hosts that this machine's closed network refuses. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts headless Chromium, failing with the install command when it is missing. */
export async function launchChromium() {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
