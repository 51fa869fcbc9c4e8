import { type LaunchedBrowser, launchBrowser } from '@ballast/testkit';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtConsole } from './built-console.ts';
import { cpuHistory, FAKE_ADMIN, type FakeHub, makeNode, startFakeHub } from './fake-hub.ts';
import { signInThroughPage } from './sign-in.ts';

const NODE = 'ip-10-0-0-1';
const WAIT = { timeout: 5_000 };

async function dataPoints(chart: Locator): Promise<number> {
  return Number(await chart.getAttribute('data-points', WAIT));
}

/** Waits until the chart's data-points attribute satisfies `min < points`. */
async function waitForPointsAbove(page: Page, node: string, min: number): Promise<number> {
  const handle = await page.waitForFunction(
    ([n, m]) => {
      const el = document.querySelector(`[data-testid="cpu-chart"][data-node="${n}"]`);
      const points = Number(el?.getAttribute('data-points') ?? 0);
      return points > (m as number) ? points : false;
    },
    [node, min] as const,
    WAIT,
  );
  return (await handle.jsonValue()) as number;
}

describe('console in a real Chromium', () => {
  let dist: string;
  let hub: FakeHub;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    dist = await builtConsole();
    hub = await startFakeHub(dist);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it("asks for a password first and shows the hub's refusal of a wrong one", async () => {
    const { page } = browser;
    await page.goto(`${hub.url}/agents?refresh=500`, WAIT);
    await page.getByTestId('sign-in-form').waitFor(WAIT);
    expect(await page.locator('[data-testid="node-row"]').count()).toBe(0);
    await page.getByLabel('Username').fill(FAKE_ADMIN.username);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const err = page.getByTestId('sign-in-error');
    await err.waitFor(WAIT);
    expect(await err.innerText()).toContain('wrong username or password');
  }, 20_000);

  it('renders a node and its live CPU chart, refreshing without a reload', async () => {
    hub.nodes = [makeNode({ node: NODE })];
    hub.cpu.set(NODE, cpuHistory(20));
    const { page } = browser;
    await signInThroughPage(page, hub.url, '/agents?refresh=500', FAKE_ADMIN.username, FAKE_ADMIN.password);
    expect(await page.getByTestId('current-user').innerText()).toContain('admin');
    await page.evaluate(() => {
      (window as unknown as { __ballastMarker: string }).__ballastMarker = 'same-document';
    });

    const row = page.locator(`[data-testid="node-row"][data-node="${NODE}"]`);
    await row.waitFor(WAIT);
    const text = await row.innerText();
    expect(text).toContain('local');
    expect(text).toContain('m6i.large');
    expect(text).toMatch(/\d+s ago/);
    expect(text).toContain('healthy');

    const chart = page.locator(`[data-testid="cpu-chart"][data-node="${NODE}"]`);
    await chart.locator('canvas').first().waitFor(WAIT);
    const first = await waitForPointsAbove(page, NODE, 0);
    const later = await waitForPointsAbove(page, NODE, first);
    expect(later).toBeGreaterThan(first);
    expect(await dataPoints(chart)).toBeGreaterThanOrEqual(later);

    const sameDocument = await page.evaluate(() => ({
      navigations: performance.getEntriesByType('navigation').length,
      marker: (window as unknown as { __ballastMarker?: string }).__ballastMarker,
    }));
    expect(sameDocument).toEqual({ navigations: 1, marker: 'same-document' });
  }, 20_000);

  it('shows the error message from the API body, then recovers', async () => {
    const { page } = browser;
    hub.nodesFailure = 'metadata store unavailable: connection refused';
    const banner = page.getByTestId('nodes-error');
    await banner.waitFor(WAIT);
    expect(await banner.innerText()).toContain('metadata store unavailable: connection refused');

    hub.nodesFailure = undefined;
    await banner.waitFor({ state: 'detached', ...WAIT });
    await page.locator(`[data-testid="node-row"][data-node="${NODE}"]`).waitFor(WAIT);
  }, 20_000);

  it('shows the error on a fresh load when the first request fails', async () => {
    hub.nodesFailure = 'boom from the hub';
    const { page } = browser;
    await page.goto(`${hub.url}/agents?refresh=500`, WAIT);
    const banner = page.getByTestId('nodes-error');
    await banner.waitFor(WAIT);
    expect(await banner.innerText()).toContain('boom from the hub');
    hub.nodesFailure = undefined;
  }, 20_000);

  it('says so when no agents are connected', async () => {
    hub.nodes = [];
    const { page } = browser;
    await page.goto(`${hub.url}/agents?refresh=500`, WAIT);
    const empty = page.getByTestId('nodes-empty');
    await empty.waitFor(WAIT);
    expect(await empty.innerText()).toBe('No agents connected yet');
  }, 20_000);
});
