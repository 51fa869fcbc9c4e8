import { type LaunchedBrowser, launchBrowser } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInThroughPage } from '../sign-in.ts';
import { apiCall, apiSession, SIM_HUB_ADMIN, SimHub } from './sim-hub.ts';

const OPERATOR = { username: 'olga-operator', password: 'operator-password-123456' };
const WAIT = { timeout: 20_000 };

// Issue 9's acceptance on a real hub on the simulator: an operator forces one spot instance
// on-demand from its page; the switch job launches an on-demand replacement on the sim's
// EC2, waits for it to be a Ready node on the sim's kube-apiserver, has the old node's agent
// drain it, and terminates it. A dashboard open in another tab shows the node's lifecycle
// change without a reload, brought by the stream and polling.
describe('force on-demand from the console, on the simulator', () => {
  let world: SimHub;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    world = await SimHub.start({ clusters: [{ client: 'default', cluster: 'sim-1', spot: 1, onDemand: 1 }], bootDelayMs: 30_000 });
    const admin = await apiSession(world.url, SIM_HUB_ADMIN);
    await apiCall(world.url, admin, 'POST', '/api/v1/users', { ...OPERATOR, role: 'operator', clientId: null });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  it('moves the instance to on-demand and the open dashboard shows it without a reload', async () => {
    const [old] = world.live('sim-1').filter((i) => i.capacityType === 'spot');
    if (!old) throw new Error('the cluster has no spot node');
    const { page, context } = browser;
    await signInThroughPage(page, world.url, '/clients/default', OPERATOR.username, OPERATOR.password);
    const oldRow = page.locator(`[data-testid="dash-node-row"][data-node="${old.privateDnsName}"]`);
    await oldRow.waitFor(WAIT);
    expect(await oldRow.getAttribute('data-lifecycle')).toBe('spot');

    // A second tab (same session) on the instance's page acts; the first one only watches.
    const actor = await context.newPage();
    await actor.goto(`${world.url}/instances/${old.id}`, WAIT);
    expect(await actor.getByTestId('instance-lifecycle').innerText()).toBe('spot');
    await actor.getByTestId('force-on-demand-instances').click();
    await actor.getByTestId('confirm-force').click();
    await actor.getByTestId('job-progress').waitFor(WAIT);

    // Ten virtual seconds per real second: the replacement boots (30 s) and the pods go (5 s grace) quickly.
    world.setSpeed(10);
    const started = Date.now();
    // Fails fast on a failed job, printing what the hub says about it.
    const end = actor.locator(
      '[data-testid="job-progress"]:is([data-status="succeeded"], [data-status="failed"], [data-status="cancelled"])',
    );
    await end.waitFor({ timeout: 75_000 });
    if ((await end.getAttribute('data-status')) !== 'succeeded') {
      const admin = await apiSession(world.url, SIM_HUB_ADMIN);
      const { jobs } = await apiCall<{ jobs: Array<{ id: string }> }>(world.url, admin, 'GET', '/api/v1/jobs');
      const detail = await Promise.all(jobs.map((j) => apiCall(world.url, admin, 'GET', `/api/v1/jobs/${j.id}`)));
      throw new Error(`the job did not succeed: ${JSON.stringify(detail).slice(0, 6000)}`);
    }
    const jobMs = Date.now() - started;
    world.setSpeed(1);

    const replacement = world.live('sim-1').find((i) => i.tags['ballast.io/replaces'] === old.id);
    expect(replacement?.capacityType).toBe('on-demand');
    expect(['shutting-down', 'terminated']).toContain(world.sim.fleet.get(old.id)?.state);

    // The watching tab: the replacement's row, on-demand, and the old node's agent gone — no navigation happened.
    const newRow = page.locator(`[data-testid="dash-node-row"][data-node="${replacement?.privateDnsName}"]`);
    await newRow.waitFor(WAIT);
    expect(await newRow.getAttribute('data-lifecycle')).toBe('on-demand');
    await page.locator(`[data-testid="dash-node-row"][data-node="${old.privateDnsName}"][data-connected="false"]`).waitFor(WAIT);
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
    expect(page.url()).toBe(`${world.url}/clients/default`);

    // What happened, as the console tells it: the switch in the old instance's history, the override in force.
    const switched = actor.locator('[data-testid="switch-row"][data-outcome="switched"]');
    await switched.waitFor(WAIT);
    expect(await switched.innerText()).toContain(replacement?.id as string);
    // The history chart steps up at the switch that took effect.
    expect(await actor.getByTestId('switch-history-chart').getAttribute('data-points')).toBe('1');
    await actor.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await actor.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overrides' }).click();
    const override = actor.getByTestId('override-row');
    await override.waitFor(WAIT);
    expect(await override.getAttribute('data-target')).toBe(old.id);
    expect(await override.innerText()).toContain('olga-operator');
    process.stdout.write(`force on-demand: job finished ${jobMs} ms after it started (sim at 10x)\n`);
    await actor.close();
  }, 120_000);
});
