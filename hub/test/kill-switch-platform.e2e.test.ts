import { afterEach, describe, expect, it } from 'vitest';
import { SwitchWorld } from './switch-fixture.ts';

// The platform kill switch over two clients' clusters: refusals, approval, engage (every
// spot node to on-demand, as one parent job), and release (back to spot).
let world: SwitchWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('kill switch', () => {
  it('refuses a kill switch without the confirmation phrase or with a malformed body, and changes nothing', async () => {
    world = await SwitchWorld.start();
    const w = world;
    w.node('spot');
    await w.boot();
    const jobs = () => w.count('SELECT count(*)::int AS n FROM jobs');
    const audit = () => w.count('SELECT count(*)::int AS n FROM audit_log');
    const [j0, a0] = [await jobs(), await audit()];
    const cases: Array<[unknown, string]> = [
      [{ enabled: true }, 'confirm'],
      [{ enabled: true, confirm: 'disable Spot' }, 'confirm'],
      [{ enabled: false, confirm: 'yes' }, 'confirm'],
      [{ enabled: 'true', confirm: 'disable spot' }, 'enabled'],
      [{ confirm: 'disable spot' }, 'enabled'],
      [{ enabled: true, confirm: 'disable spot', force: true }, 'force'],
      [{ enabled: true, confirm: 'disable spot', max_parallel: -2 }, 'max_parallel'],
      ['disable spot', 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await w.request('POST', '/api/v1/admin/kill-switch', body);
      expect([JSON.stringify(body), res.statusCode, res.json().error?.parameter]).toEqual([JSON.stringify(body), 400, field]);
    }
    expect([await jobs(), await audit(), w.launches.length]).toEqual([j0, a0, 0]);
    expect((await w.request('GET', '/api/v1/admin/kill-switch')).json().spotDisabled).toBe(false);
  });

  it('disables spot for every client as one job with progress, then allows it again', async () => {
    world = await SwitchWorld.start({ clusters: ['prod', 'acme-prod'] });
    const w = world;
    const ours = [w.node('spot'), w.node('spot'), w.node('on-demand')];
    const theirs = [w.node('spot', { cluster: 'acme-prod', tenant: 'acme' }), w.node('spot', { cluster: 'acme-prod', tenant: 'acme' })];
    await w.boot({
      deployments: [{ name: 'web', replicas: 3, cpu: '250m', pdb: { maxUnavailable: 1 }, terminationGracePeriodSeconds: 5 }],
    });
    await w.boot(
      { deployments: [{ name: 'api', replicas: 2, cpu: '250m', pdb: { maxUnavailable: 1 }, terminationGracePeriodSeconds: 5 }] },
      'acme-prod',
    );

    const res = await w.request(
      'POST',
      '/api/v1/admin/kill-switch',
      { enabled: true, confirm: 'disable spot', note: 'spot market incident' },
      'root',
    );
    expect(res.statusCode).toBe(202);
    const { job } = res.json();
    // The flag, then one step per spot node of every client, then the wait.
    expect(job.progress.total).toBe(1 + 4 + 1);
    const done = await w.driveJob(job.id, ['succeeded', 'failed'], 2_000, 120_000);
    expect(done.status).toBe('succeeded');
    expect(done.progress).toEqual({ done: 6, total: 6, percent: 100 });
    expect([...w.liveNodes('prod'), ...w.liveNodes('acme-prod')].every((i) => i.capacityType === 'on-demand')).toBe(true);
    expect(w.liveNodes('prod')).toHaveLength(3);
    expect(w.liveNodes('acme-prod')).toHaveLength(2);
    // The on-demand node was never touched.
    expect(w.sim.fleet.get(ours[2]?.id as string)?.state).toBe('running');
    for (const i of [ours[0], ours[1], ...theirs])
      expect(['shutting-down', 'terminated']).toContain(w.sim.fleet.get(i?.id as string)?.state);
    // Each child switch runs as the client whose node it moves.
    const clients = (
      await w.store.query<{ client_id: string; n: number }>(
        `SELECT client_id, count(*)::int AS n FROM jobs WHERE params->>'parentJobId' = $1 GROUP BY client_id ORDER BY client_id`,
        [job.id],
      )
    ).rows;
    expect(clients).toEqual([
      { client_id: 'acme', n: 2 },
      { client_id: 'default', n: 2 },
    ]);
    const state = (await w.request('GET', '/api/v1/admin/kill-switch')).json();
    expect(state).toMatchObject({ spotDisabled: true, changedBy: 'root', jobId: job.id });
    // With spot off, the engine's hook forces everything on-demand, override or not.
    expect(await w.plane.overridePolicy.overrideFor({ clientId: 'acme', clusterId: 'acme-prod', instanceId: 'i-0000000000000abcd' })).toBe(
      'on-demand',
    );
    expect(w.kube.get('prod')?.stats.podsLost).toBe(0);
    expect(w.kube.get('acme-prod')?.stats.podsLost).toBe(0);

    const off = await w.request('POST', '/api/v1/admin/kill-switch', { enabled: false }, 'root');
    expect(off.statusCode).toBe(202);
    const back = await w.driveJob(off.json().job.id, ['succeeded', 'failed'], 2_000, 120_000);
    expect(back.status).toBe('succeeded');
    expect((await w.request('GET', '/api/v1/admin/kill-switch')).json().spotDisabled).toBe(false);
    // The nodes the kill switch forced go back to spot; the one that was on-demand before stays.
    expect(
      w
        .liveNodes('prod')
        .map((i) => i.capacityType)
        .sort(),
    ).toEqual(['on-demand', 'spot', 'spot']);
    expect(w.liveNodes('acme-prod').map((i) => i.capacityType)).toEqual(['spot', 'spot']);
    const audit = (await w.request('GET', '/api/v1/audit?target=platform:spot')).json().entries as Array<{ action: string; actor: string }>;
    expect(audit.map((e) => [e.action, e.actor]).sort()).toEqual([
      ['kill-switch.engaged', 'root'],
      ['kill-switch.released', 'root'],
    ]);
  });

  it('waits for a second person when the policy lists the kill switch, with spot still allowed meanwhile', async () => {
    world = await SwitchWorld.start({ policy: { requireSecondPerson: ['kill-switch'] } });
    const w = world;
    w.node('spot');
    await w.boot();
    const res = await w.request('POST', '/api/v1/admin/kill-switch', { enabled: true, confirm: 'disable spot' }, 'root');
    expect(res.statusCode).toBe(202);
    expect([res.json().job.status, res.json().approval.action]).toEqual(['waiting-approval', 'kill-switch']);
    await w.sim.clock.advance(30_000);
    expect((await w.request('GET', '/api/v1/admin/kill-switch')).json().spotDisabled).toBe(false);
    expect(w.launches).toHaveLength(0);
    expect((await w.request('POST', `/api/v1/approvals/${res.json().approval.id}/approve`, { reason: 'incident' }, 'ops')).statusCode).toBe(
      200,
    );
    expect((await w.driveJob(res.json().job.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    expect((await w.request('GET', '/api/v1/admin/kill-switch')).json().spotDisabled).toBe(true);
    expect(w.liveNodes().map((i) => i.capacityType)).toEqual(['on-demand']);
  });
});
