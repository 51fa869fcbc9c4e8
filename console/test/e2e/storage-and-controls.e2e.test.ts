import { CreateVolumeCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { type LaunchedBrowser, launchBrowser } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInThroughPage } from '../sign-in.ts';
import { SIM_HUB_ADMIN, SimHub } from './sim-hub.ts';

const WAIT = { timeout: 20_000 };

// Issue 9's acceptance, the acting pages on a real hub on the simulator: the storage cleanup
// wizard from filters through the dry run to a finished job that deleted the volumes on the
// sim's EC2, and the kill switch that stays shut until the exact words are typed.
describe('storage cleanup and the kill switch, on the simulator', () => {
  let world: SimHub;
  let browser: LaunchedBrowser;
  let ec2: EC2Client;
  const leftovers: string[] = [];

  beforeAll(async () => {
    world = await SimHub.start({ clusters: [{ client: 'default', cluster: 'sim-1', spot: 1, onDemand: 1 }] });
    // Unattached volumes someone forgot, made through the real SDK as a user would have.
    ec2 = new EC2Client({
      endpoint: world.sim.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' },
      maxAttempts: 1,
    });
    for (const size of [20, 50]) {
      const v = await ec2.send(
        new CreateVolumeCommand({
          AvailabilityZone: 'us-east-1a',
          Size: size,
          VolumeType: 'gp3',
          TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'team', Value: 'scratch' }] }],
        }),
      );
      leftovers.push(v.VolumeId as string);
    }
    browser = await launchBrowser();
    await signInThroughPage(browser.page, world.url, '/storage', SIM_HUB_ADMIN.username, SIM_HUB_ADMIN.password);
  }, 120_000);

  afterAll(async () => {
    ec2?.destroy();
    await browser?.close();
    await world?.close();
  });

  it('runs the storage wizard through the dry run to a job that deletes exactly the previewed volumes', async () => {
    const { page } = browser;
    await page.goto(`${world.url}/storage`, WAIT);
    await page.getByLabel('Tags (key or key=value, comma separated)').fill('team=scratch');
    await page.getByLabel('Tags (key or key=value, comma separated)').press('Tab');
    const matches = page.getByTestId('storage-matches');
    await page.waitForFunction(() => document.querySelector('[data-testid="storage-matches"]')?.textContent?.startsWith('2 volumes'));
    expect(await matches.innerText()).toContain('0 snapshots');

    await page.getByTestId('wizard-dry-run').click();
    // The preview, or the hub's refusal in words (which fails here with what it said).
    await page.locator('[data-testid="storage-preview"], [data-testid="wizard-error"]').first().waitFor(WAIT);
    expect(await page.getByTestId('wizard-error').count(), await page.locator('main').innerText()).toBe(0);
    for (const id of leftovers) expect(await page.getByTestId('storage-preview').innerText()).toContain(id);
    // 70 GiB of gp3 a month, at the hub's storage prices: some money, not nothing.
    expect(await page.getByTestId('preview-saving').innerText()).toMatch(/^\$[1-9]/);

    await page.getByTestId('wizard-next').click();
    const remove = page.getByTestId('wizard-delete');
    expect(await remove.isDisabled()).toBe(true);
    await page.getByLabel('Audit note (why)').fill('scratch volumes of a finished experiment');
    expect(await remove.isDisabled()).toBe(true);
    await page.getByTestId('wizard-ack').check();
    expect(await remove.isDisabled()).toBe(false);
    await remove.click();

    const done = page.locator('[data-testid="job-progress"]:is([data-status="succeeded"], [data-status="failed"])');
    await done.waitFor({ timeout: 45_000 });
    expect(await done.getAttribute('data-status')).toBe('succeeded');
    const left = await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'tag:team', Values: ['scratch'] }] }));
    expect((left.Volumes ?? []).filter((v) => v.State !== 'deleted' && v.State !== 'deleting')).toEqual([]);
  }, 90_000);

  it('keeps the kill switch shut until "disable spot" is typed exactly, and the hub wants the words too', async () => {
    const { page } = browser;
    await page.goto(`${world.url}/controls`, WAIT);
    await page.getByTestId('kill-switch-state').waitFor(WAIT);
    expect(await page.getByTestId('kill-switch-state').innerText()).toContain('allowed');
    const button = page.getByTestId('kill-switch-disable');
    const phrase = page.getByLabel('Type disable spot to confirm');
    for (const wrong of ['', 'disable', 'Disable Spot', 'disable spots']) {
      await phrase.fill(wrong);
      expect([wrong, await button.isDisabled()]).toEqual([wrong, true]);
    }
    // Around the page: the hub refuses the call without the phrase, naming the field, and changes nothing.
    const refused = await page.evaluate(async () => {
      const csrf = decodeURIComponent(document.cookie.match(/ballast_csrf=([^;]+)/)?.[1] ?? '');
      const r = await fetch('/api/v1/admin/kill-switch', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ enabled: true }),
      });
      return { status: r.status, body: (await r.json()) as { error: { parameter?: string } } };
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.parameter).toBe('confirm');

    await page.getByLabel('Audit note').first().fill('spot market incident drill');
    await phrase.fill('disable spot');
    expect(await button.isDisabled()).toBe(false);
    await button.click();
    await page.getByTestId('job-progress').waitFor(WAIT);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="kill-switch-state"]')?.textContent?.includes('disabled platform-wide'),
    );
    const state = await page.evaluate(async () => (await (await fetch('/api/v1/admin/kill-switch')).json()) as { spotDisabled: boolean });
    expect(state.spotDisabled).toBe(true);
  }, 60_000);
});
