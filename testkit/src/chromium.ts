import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's package; playwright-core ships no browser, and downloading one is not allowed here. */
export const CHROMIUM_PATH = process.env.BALLAST_CHROMIUM ?? '/usr/bin/chromium';

// Keep the browser from calling home or updating itself mid-test; --no-sandbox because
// test containers run as root without user namespaces.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchedBrowser {
  context: BrowserContext;
  page: Page;
  /** Closes the browser and deletes its profile dir; safe to call twice. */
  close: () => Promise<void>;
}

export async function launchBrowser(): Promise<LaunchedBrowser> {
  // A fresh profile per launch so no cache, cookies or service workers leak between tests.
  const profile = await mkdtemp(join(tmpdir(), 'ballast-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: ARGS,
      timeout: 20_000,
    });
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw new Error(`could not launch Chromium at ${CHROMIUM_PATH}`, { cause: err });
  }
  const page = context.pages()[0] ?? (await context.newPage());
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      try {
        await context.close();
      } finally {
        await rm(profile, { recursive: true, force: true, maxRetries: 3 });
      }
    })();
    return closed;
  };
  return { context, page, close };
}
