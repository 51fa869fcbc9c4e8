import { launchBrowser } from '@ballast/testkit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInThroughPage } from '../sign-in.ts';
import { apiCall, apiSession, SIM_HUB_ADMIN, SimHub } from './sim-hub.ts';

const WAIT = { timeout: 20_000 };
const USERS = {
  operator: { username: 'oscar-operator', password: 'operator-password-123456', role: 'operator', clientId: null },
  viewer: { username: 'vera-viewer', password: 'viewer-password-123456', role: 'viewer', clientId: null },
  // Bound to globex: the hub must keep the default client's nodes from this user, whatever the page asks.
  globex: { username: 'gus-globex', password: 'globex-password-123456', role: 'operator', clientId: 'globex' },
} as const;

/** Every node name the page shows in the main area (tables, topology squares). */
const shownNodes = (page: Page) =>
  page.evaluate(() => [...document.querySelectorAll('main [data-node]')].map((e) => e.getAttribute('data-node') ?? ''));

/** Calls the hub from inside the page with the page's own session and CSRF token, as a script on it could. */
const fromPage = (page: Page, method: string, path: string, body?: unknown) =>
  page.evaluate(
    async ([m, p, b]) => {
      const csrf = decodeURIComponent(document.cookie.match(/ballast_csrf=([^;]+)/)?.[1] ?? '');
      const r = await fetch(p as string, {
        method: m as string,
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        ...(b === undefined ? {} : { body: JSON.stringify(b) }),
      });
      return { status: r.status, body: (await r.text()).slice(0, 2000) };
    },
    [method, path, body] as const,
  );

// Issue 9's acceptance, roles: sign-in as each role against a real hub on the simulator (two
// clients, one cluster each, a real agent per node), what each is shown, and what the hub
// refuses when the page is bypassed.
describe('console roles against a real hub on the simulator', () => {
  let world: SimHub;
  let defaultNodes: string[];
  let globexNodes: string[];

  beforeAll(async () => {
    world = await SimHub.start({
      clusters: [
        { client: 'default', cluster: 'sim-1', spot: 1, onDemand: 1 },
        { client: 'globex', cluster: 'sim-2', spot: 1, onDemand: 0 },
      ],
    });
    const admin = await apiSession(world.url, SIM_HUB_ADMIN);
    for (const u of Object.values(USERS)) await apiCall(world.url, admin, 'POST', '/api/v1/users', u);
    defaultNodes = world.live('sim-1').map((i) => i.privateDnsName);
    globexNodes = world.live('sim-2').map((i) => i.privateDnsName);
  }, 120_000);

  afterAll(async () => {
    await world?.close();
  });

  it('signs in the admin on live operations with every card answered, and the whole navigation', async () => {
    const b = await launchBrowser();
    try {
      const { page } = b;
      await signInThroughPage(page, world.url, '/', SIM_HUB_ADMIN.username, SIM_HUB_ADMIN.password);
      expect(await page.getByTestId('current-user').innerText()).toContain('admin');
      const nav = await page.getByRole('navigation', { name: 'Main' }).innerText();
      for (const item of ['Live operations', 'Fleet', 'Governance', 'Controls', 'Users & tokens']) expect(nav).toContain(item);
      // Real figures from the hub: 3 instances, 2 of them spot; the pipeline lists the hub's components.
      await page.waitForFunction(() => document.querySelector('[data-testid="card-active-value"]')?.textContent?.trim() === '3');
      expect(await page.getByTestId('card-active').innerText()).toContain('2 spot');
      const pipeline = page.getByTestId('pipeline-status');
      await pipeline.getByText('executor').waitFor(WAIT);
      // System load from the hub's ingest detail: queued points now.
      expect(await page.getByTestId('queue-depth').innerText()).toMatch(/^\d[\d,]* points$/);
      expect(await page.locator('main').innerText()).not.toMatch(/no route/i);
    } finally {
      await b.close();
    }
  }, 60_000);

  it('gives an operator the action buttons but not the hub-admin pages', async () => {
    const b = await launchBrowser();
    try {
      const { page } = b;
      await signInThroughPage(page, world.url, '/clients/default', USERS.operator.username, USERS.operator.password);
      expect(await page.getByTestId('current-user').innerText()).toContain('operator');
      await page.getByTestId('nodes-table').waitFor(WAIT);
      await page.getByTestId('force-on-demand-clients').waitFor(WAIT);
      // Each node's row carries its pool's price and score (from /api/v1/pools) and its agent's state.
      const spot = world.live('sim-1').find((i) => i.capacityType === 'spot');
      const row = page.locator(`[data-testid="dash-node-row"][data-node="${spot?.privateDnsName}"]`);
      await page.waitForFunction(
        (n) => /\$0\.\d+/.test(document.querySelector(`[data-testid="dash-node-row"][data-node="${n}"]`)?.textContent ?? ''),
        spot?.privateDnsName,
        WAIT,
      );
      expect(await row.innerText()).toMatch(/\b0\.\d\d\b/);
      expect(await row.getAttribute('data-connected')).toBe('true');
      const nav = await page.getByRole('navigation', { name: 'Main' }).innerText();
      expect(nav).not.toContain('Controls');
      expect(nav).not.toContain('Users & tokens');
      await page.goto(`${world.url}/controls`, WAIT);
      await page.getByTestId('not-allowed').waitFor(WAIT);
      expect((await fromPage(page, 'POST', '/api/v1/admin/kill-switch', { enabled: true, confirm: 'disable spot' })).status).toBe(403);
    } finally {
      await b.close();
    }
  }, 60_000);

  it("shows a viewer every client's nodes but no action button, and the hub refuses the viewer's direct call", async () => {
    const b = await launchBrowser();
    try {
      const { page } = b;
      await signInThroughPage(page, world.url, '/clients/default', USERS.viewer.username, USERS.viewer.password);
      expect(await page.getByTestId('current-user').innerText()).toContain('viewer');
      await page.locator(`[data-testid="dash-node-row"][data-node="${defaultNodes[0]}"]`).waitFor(WAIT);
      const spot = world.live('sim-1').find((i) => i.capacityType === 'spot');
      const pages = ['/clients/default', `/instances/${spot?.id}`, '/jobs', '/storage', '/approvals', '/agents'];
      for (const path of pages) {
        await page.goto(`${world.url}${path}`, WAIT);
        await page.locator('main h1').first().waitFor(WAIT);
        await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
        const buttons = await page
          .locator('[data-testid^="force-on-demand"], button.danger, button.warn, [data-testid="wizard-delete"]')
          .count();
        expect([path, buttons]).toEqual([path, 0]);
      }
      // The page's own session and CSRF token: still refused, and nothing was forced.
      const forced = await fromPage(page, 'POST', `/api/v1/instances/${spot?.id}/force-on-demand`, {});
      expect(forced.status).toBe(403);
      expect((await fromPage(page, 'POST', '/api/v1/admin/recompute-risk', {})).status).toBe(403);
      expect(JSON.parse((await fromPage(page, 'GET', '/api/v1/overrides')).body)).toEqual({ overrides: [] });
    } finally {
      await b.close();
    }
  }, 90_000);

  it("never shows a client-bound user another tenant's nodes, through the console or the API", async () => {
    const b = await launchBrowser();
    try {
      const { page } = b;
      // A client's user lands on their own dashboard.
      await signInThroughPage(page, world.url, '/', USERS.globex.username, USERS.globex.password);
      await page.waitForURL(`${world.url}/clients/globex`, WAIT);
      await page.locator(`[data-testid="dash-node-row"][data-node="${globexNodes[0]}"]`).waitFor(WAIT);
      for (const path of ['/clients/globex', '/fleet', '/agents', '/utilization']) {
        await page.goto(`${world.url}${path}`, WAIT);
        await page.locator('main h1').first().waitFor(WAIT);
        await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
        const nodes = await shownNodes(page);
        for (const n of defaultNodes) expect([path, nodes]).not.toContainEqual([path, expect.arrayContaining([n])]);
        expect(await page.locator('main').innerText()).not.toContain('sim-1');
      }
      // Asking for the other client by URL: the hub answers 404 and the page shows nothing of it.
      await page.goto(`${world.url}/clients/default`, WAIT);
      await page.locator('main h1').first().waitFor(WAIT);
      await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
      expect(await shownNodes(page)).toEqual([]);
      expect((await fromPage(page, 'GET', '/api/v1/clients/default/topology')).status).toBe(404);
      const nodes = JSON.parse((await fromPage(page, 'GET', '/api/v1/nodes')).body) as { nodes: Array<{ tenant: string; node: string }> };
      expect(new Set(nodes.nodes.map((n) => n.tenant))).toEqual(new Set(['globex']));
      const spot = world.live('sim-1').find((i) => i.capacityType === 'spot');
      expect((await fromPage(page, 'POST', `/api/v1/instances/${spot?.id}/force-on-demand`, {})).status).toBe(404);
      expect((await fromPage(page, 'GET', '/api/v1/clients')).body).not.toContain('sim-1');
    } finally {
      await b.close();
    }
  }, 90_000);
});
