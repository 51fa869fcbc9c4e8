import { type LaunchedBrowser, launchBrowser } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtConsole } from './built-console.ts';
import { FAKE_ADMIN, type FakeHub, type FakeUser, makeNode, startFakeHub } from './fake-hub.ts';
import { signInThroughPage } from './sign-in.ts';

const WAIT = { timeout: 10_000 };
const VIEWER: FakeUser = { username: 'vic', password: 'viewer-password', role: 'viewer', clientId: 'acme' };

const fleet = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    makeNode({
      tenant: 'acme',
      cluster: i % 2 ? 'prod-b' : 'prod-a',
      node: `ip-10-0-${Math.floor(i / 250)}-${i % 250}`,
      instanceId: `i-${String(i).padStart(17, '0')}`,
      lifecycle: i % 5 === 0 ? 'on-demand' : 'spot',
    }),
  );

// The console's own behaviour against the fake hub: the 500-node table, live updates from the
// stream, and what a viewer is shown. The real-hub test covers what the hub refuses.
describe('console pages in a real Chromium', () => {
  let dist: string;
  let hub: FakeHub;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    dist = await builtConsole();
    hub = await startFakeHub(dist);
    hub.users.push(VIEWER);
    hub.nodes = fleet(500);
    browser = await launchBrowser();
    await signInThroughPage(browser.page, hub.url, '/fleet?refresh=500', FAKE_ADMIN.username, FAKE_ADMIN.password);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('shows 500 nodes one page at a time, sorted and filtered in the browser', async () => {
    const { page } = browser;
    await page.goto(`${hub.url}/clients/acme?refresh=500`, WAIT);
    await page.getByTestId('nodes-table-count').waitFor(WAIT);
    expect(await page.getByTestId('nodes-table-count').innerText()).toBe('500 rows');
    expect(await page.getByTestId('dash-node-row').count()).toBe(50);
    expect(await page.getByTestId('nodes-table-page').innerText()).toBe('Page 1 of 10');
    // Natural order: ip-10-0-0-2 sorts before ip-10-0-0-10.
    expect(await page.getByTestId('dash-node-row').nth(2).getAttribute('data-node')).toBe('ip-10-0-0-2');

    await page.getByRole('button', { name: /^Node/ }).click();
    expect(await page.getByTestId('dash-node-row').first().getAttribute('data-node')).toBe('ip-10-0-1-249');

    await page.getByLabel('Filter nodes (name, pool, lifecycle…)').fill('on-demand');
    expect(await page.getByTestId('nodes-table-count').innerText()).toBe('100 of 500 rows');
    const lifecycles = await page.getByTestId('dash-node-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-lifecycle')));
    expect(new Set(lifecycles)).toEqual(new Set(['on-demand']));

    // Every fifth node is on-demand and every odd one in prod-b: 50 of prod-b's 250.
    await page.getByTestId('cluster-select').selectOption('prod-b');
    expect(await page.getByTestId('nodes-table-count').innerText()).toBe('50 of 250 rows');
  }, 30_000);

  it("changes a node's lifecycle in the table without a reload", async () => {
    const { page } = browser;
    await page.goto(`${hub.url}/clients/acme?refresh=500`, WAIT);
    await page.getByLabel('Filter nodes (name, pool, lifecycle…)').fill('ip-10-0-0-1');
    const row = page.locator('[data-testid="dash-node-row"][data-node="ip-10-0-0-1"]');
    await row.waitFor(WAIT);
    expect(await row.getAttribute('data-lifecycle')).toBe('spot');
    hub.nodes = hub.nodes.map((n) => (n.node === 'ip-10-0-0-1' ? { ...n, lifecycle: 'on-demand' } : n));
    await page.locator('[data-testid="dash-node-row"][data-node="ip-10-0-0-1"][data-lifecycle="on-demand"]').waitFor(WAIT);
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
  }, 30_000);

  it('puts a stream event on live operations without a reload', async () => {
    const { page } = browser;
    await page.goto(`${hub.url}/?refresh=500`, WAIT);
    await page.waitForFunction(() => document.querySelector('.live-dot.open') !== null, undefined, WAIT);
    expect(hub.emit('interruption-notice', { node: 'ip-10-0-0-7' })).toBeGreaterThan(0);
    const last = page.getByTestId('last-event');
    await last.waitFor(WAIT);
    expect(await last.innerText()).toContain('interruption-notice on ip-10-0-0-7');
  }, 30_000);

  it('gives a client viewer their tenant only and no action buttons', async () => {
    const viewer = await launchBrowser();
    try {
      const { page } = viewer;
      await page.goto(`${hub.url}/`, WAIT);
      await page.getByTestId('sign-in-form').waitFor(WAIT);
      await page.getByLabel('Username').fill(VIEWER.username);
      await page.getByLabel('Password').fill(VIEWER.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      // "/" is live operations for hub admins only: a client's user lands on their dashboard.
      await page.waitForURL(`${hub.url}/clients/acme`, WAIT);
      await page.getByTestId('nodes-table').waitFor(WAIT);
      expect(await page.locator('[data-testid^="force-on-demand"], button.danger').count()).toBe(0);
      const nav = await page.getByRole('navigation', { name: 'Main' }).innerText();
      for (const hidden of ['Live operations', 'Controls', 'Governance', 'Users & tokens']) expect(nav).not.toContain(hidden);

      await page.getByRole('link', { name: 'Fleet' }).click();
      await page.waitForURL(`${hub.url}/clients/acme`, WAIT);

      await page.goto(`${hub.url}/controls`, WAIT);
      await page.getByTestId('not-allowed').waitFor(WAIT);
      expect(await page.getByTestId('kill-switch').count()).toBe(0);
    } finally {
      await viewer.close();
    }
  }, 40_000);
});
