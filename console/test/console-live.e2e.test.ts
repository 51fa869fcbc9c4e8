import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AgentHandle, type HubHandle, type LaunchedBrowser, launchBrowser, startAgent, startHub, tempDir } from '@ballast/testkit';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CONSOLE_ROOT = fileURLToPath(new URL('..', import.meta.url));

// The whole first slice at once: a real agent streams to a real hub, which serves the
// console; Chromium shows the node and draws its CPU from ClickHouse.
describe('console served by a real hub with a real agent', () => {
  const dir = tempDir('console-live');
  let dist: string;
  let hub: HubHandle;
  let agent: AgentHandle;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'ballast-console-dist-'));
    await build({ root: CONSOLE_ROOT, logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
    hub = await startHub({ dataDir: dir.path, env: { BALLAST_CONSOLE_DIR: dist } });
    agent = await startAgent({ hubAddress: hub.grpcAddress, intervalMs: 500 });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await hub?.process.stop();
    if (dist) await rm(dist, { recursive: true, force: true });
    dir.remove();
  });

  it('renders the node row and a live CPU chart that grows without a reload', async () => {
    const { page } = browser;
    await page.goto(`${hub.httpUrl}/?refresh=500`);
    const row = page.locator(`[data-testid="node-row"][data-node="${agent.node}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.innerText()).toContain('0.1.0');

    const chart = page.locator(`[data-testid="cpu-chart"][data-node="${agent.node}"]`);
    await chart.locator('canvas').first().waitFor({ timeout: 15_000 });
    const first = await page.waitForFunction(
      (n) => Number(document.querySelector(`[data-testid="cpu-chart"][data-node="${n}"]`)?.getAttribute('data-points') ?? 0) || false,
      agent.node,
      { timeout: 15_000 },
    );
    const before = Number(await first.jsonValue());
    expect(before).toBeGreaterThan(0);
    await page.waitForFunction(
      ([n, b]) =>
        Number(document.querySelector(`[data-testid="cpu-chart"][data-node="${n}"]`)?.getAttribute('data-points') ?? 0) > (b as number),
      [agent.node, before] as const,
      { timeout: 15_000 },
    );
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
  });

  it('falls back to the console for client-side paths and keeps API 404s as JSON', async () => {
    const page = await fetch(`${hub.httpUrl}/some/console/route`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app"');
    const api = await fetch(`${hub.httpUrl}/api/v1/nope`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
