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

/** Starts headless Chromium, failing with the install command when it is missing. A launch
 * that fails is tried twice more: on a loaded 2-core machine Chromium's start-up sometimes
 * times out or its first target closes (seen in CI as "Target page, context or browser
 * has been closed"), which says nothing about the site under test. */
export async function launchChromium() {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
    } catch (e) {
      if (attempt >= 3) throw e;
      console.error(`# Chromium did not start (attempt ${attempt}): ${e.message.split('\n')[0]}; trying again`);
      await new Promise((r) => setTimeout(r, 2000 * attempt));
    }
  }
}
