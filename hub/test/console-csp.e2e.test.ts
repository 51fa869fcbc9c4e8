import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type LaunchedBrowser, launchBrowser } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubHarness } from './hub-harness.ts';

// The built console (Vite) and Swagger UI in a real browser under the hub's headers: a CSP
// violation would leave the page blank in production, so the browser reports each one here.
const consoleDir = fileURLToPath(new URL('../../console/dist', import.meta.url));
let h: Awaited<ReturnType<typeof hubHarness>>;
let browser: LaunchedBrowser;

beforeAll(async () => {
  if (!existsSync(`${consoleDir}/index.html`)) throw new Error('build the console first: npm run build:console');
  h = await hubHarness(undefined, { consoleDir });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function violationsOn(path: string, rendered: string): Promise<string[]> {
  const page = await browser.context.newPage();
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.push(m.text());
  });
  await page.goto(`http://127.0.0.1:${h.hub.httpPort}${path}`);
  await page.waitForSelector(rendered, { timeout: 20_000 });
  await page.close();
  return seen;
}

describe('the strict CSP', () => {
  it('lets the built console load and render, with no violation', async () => {
    expect(await violationsOn('/', '#app > *')).toEqual([]);
  });

  it('lets Swagger UI load its own assets at /api/docs, with no violation', async () => {
    expect(await violationsOn('/api/docs', '.swagger-ui .info')).toEqual([]);
  });
});
