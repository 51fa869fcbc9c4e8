import { type AgentHandle, type HubHandle, type LaunchedBrowser, launchBrowser, startAgent, startHub, tempDir } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtConsole } from './built-console.ts';
import { signInThroughPage } from './sign-in.ts';

// The same first admin testkit's startHub configures; passed explicitly so this test states what it signs in with.
const ADMIN = { username: 'admin', password: 'ballast-test-admin-password' };
const VIEWER = { username: 'viewer-vic', password: 'viewer-password-123456' };

/** Signs in over the API (as a script would) and answers the cookie header and CSRF token. */
async function apiSession(base: string, who: { username: string; password: string }): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(who),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

// The whole first slice at once: a real agent streams to a real hub, which serves the
// console; Chromium shows the node and draws its CPU from ClickHouse.
describe('console served by a real hub with a real agent', () => {
  const dir = tempDir('console-live');
  let dist: string;
  let hub: HubHandle;
  let agent: AgentHandle;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    dist = await builtConsole();
    hub = await startHub({
      dataDir: dir.path,
      env: { BALLAST_CONSOLE_DIR: dist, BALLAST_ADMIN_USER: ADMIN.username, BALLAST_ADMIN_PASSWORD: ADMIN.password },
    });
    agent = await startAgent({ hubAddress: hub.grpcAddress, intervalMs: 500 });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await hub?.process.stop();
    dir.remove();
  });

  it('renders the node row and a live CPU chart that grows without a reload', async () => {
    const { page } = browser;
    await signInThroughPage(page, hub.httpUrl, '/agents?refresh=500', ADMIN.username, ADMIN.password);
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
    // Without a session the hub says sign in first, even for a path it does not have.
    const anonymous = await fetch(`${hub.httpUrl}/api/v1/nope`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBeTypeOf('string');
    const { cookie } = await apiSession(hub.httpUrl, ADMIN);
    const api = await fetch(`${hub.httpUrl}/api/v1/nope`, { headers: { cookie } });
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it("shows a viewer no action buttons, and the hub refuses the viewer's direct API call from the page", async () => {
    const admin = await apiSession(hub.httpUrl, ADMIN);
    const created = await fetch(`${hub.httpUrl}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      body: JSON.stringify({ ...VIEWER, role: 'viewer', clientId: null }),
    });
    expect(created.status).toBe(201);

    const viewer = await launchBrowser();
    try {
      const { page } = viewer;
      await signInThroughPage(page, hub.httpUrl, '/agents?refresh=500', VIEWER.username, VIEWER.password);
      expect(await page.getByTestId('current-user').innerText()).toContain('viewer');
      // Navigation for a viewer: no Controls, no Users & tokens.
      const nav = await page.getByRole('navigation', { name: 'Main' }).innerText();
      expect(nav).not.toContain('Controls');
      expect(nav).not.toContain('Users & tokens');
      await page.locator(`[data-testid="node-row"][data-node="${agent.node}"]`).waitFor({ timeout: 15_000 });
      expect(await page.locator('button.danger, button.warn, [data-testid^="force-on-demand"]').count()).toBe(0);

      await page.goto(`${hub.httpUrl}/controls`);
      await page.getByTestId('not-allowed').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('kill-switch').count()).toBe(0);

      // The page's own credentials, the CSRF token included: the hub must still say no.
      const status = await page.evaluate(async () => {
        const csrf = document.cookie.match(/ballast_csrf=([^;]+)/)?.[1] ?? '';
        const r = await fetch('/api/v1/admin/recompute-risk', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(csrf) },
          body: '{}',
        });
        return r.status;
      });
      expect(status).toBe(403);
    } finally {
      await viewer.close();
    }
  });
});
