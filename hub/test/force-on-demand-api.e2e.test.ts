import { afterEach, describe, expect, it } from 'vitest';
import { SwitchWorld } from './switch-fixture.ts';

// The force-on-demand endpoints: instance level until lifted (and the lift moving the node
// back), refusals that name the field and change nothing, tenancy, and approval.
let world: SwitchWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function snapshot(w: SwitchWorld) {
  const n = (t: string) => w.count(`SELECT count(*)::int AS n FROM ${t}`);
  return {
    overrides: await n('overrides'),
    jobs: await n('jobs'),
    audit: await n('audit_log'),
    launches: w.launches.length,
    live: w.sim.fleet.live().length,
  };
}

describe('force on-demand endpoints', () => {
  it('forces one instance until lifted; the force follows it onto its replacement; the lift moves it back to spot', async () => {
    world = await SwitchWorld.start();
    const w = world;
    const node = w.node('spot');
    const other = w.node('spot');
    await w.boot({
      deployments: [{ name: 'web', replicas: 2, cpu: '250m', pdb: { maxUnavailable: 1 }, terminationGracePeriodSeconds: 5 }],
    });
    const res = await w.request('POST', `/api/v1/instances/${node.id}/force-on-demand`, {}, 'bob');
    expect(res.statusCode).toBe(202);
    const { override, job, approval } = res.json();
    expect([override.level, override.targetId, override.clusterId, override.expiresAt, approval]).toEqual([
      'instance',
      node.id,
      'prod',
      null,
      null,
    ]);
    expect((await w.driveJob(job.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    const replacement = w.liveNodes().find((i) => i.id !== other.id);
    expect(replacement?.capacityType).toBe('on-demand');
    expect(w.sim.fleet.get(other.id)?.capacityType).toBe('spot');
    const ref = { clientId: 'default', clusterId: 'prod', instanceId: replacement?.id as string, tags: replacement?.tags };
    expect(await w.plane.overridePolicy.overrideFor(ref)).toBe('on-demand');
    expect(await w.plane.overridePolicy.overrideFor({ clientId: 'default', clusterId: 'prod', instanceId: other.id, tags: {} })).toBeNull();

    const lifted = await w.request('DELETE', `/api/v1/instances/${node.id}/force-on-demand`, undefined, 'carol');
    expect(lifted.statusCode).toBe(200);
    const body = lifted.json();
    expect(body.lifted.map((o: { id: string; liftedBy: string }) => [o.id, o.liftedBy])).toEqual([[override.id, 'carol']]);
    expect(body.reverts).toHaveLength(1);
    expect(await w.plane.overridePolicy.overrideFor(ref)).toBeNull();
    expect((await w.driveJob(body.reverts[0].id, ['succeeded', 'failed'])).status).toBe('succeeded');
    expect(w.liveNodes().every((i) => i.capacityType === 'spot')).toBe(true);
    expect((await w.request('DELETE', `/api/v1/instances/${node.id}/force-on-demand`)).statusCode).toBe(404);
    const audit = (await w.request('GET', `/api/v1/audit?target=override:${override.id}`)).json().entries as Array<{
      action: string;
      actor: string;
    }>;
    expect(audit.map((e) => [e.action, e.actor]).sort()).toEqual([
      ['override.created', 'bob'],
      ['override.lifted', 'carol'],
      ['override.revert-started', 'carol'],
    ]);
  });

  it('refuses malformed requests with a 400 naming the field, and changes nothing', async () => {
    world = await SwitchWorld.start();
    const w = world;
    const node = w.node('spot');
    await w.boot();
    const before = await snapshot(w);
    const cases: Array<[string, string, unknown, string]> = [
      ['bad instance id', '/api/v1/instances/i-xyz/force-on-demand', {}, 'id'],
      ['bad cluster id', '/api/v1/clusters/-bad-/force-on-demand', {}, 'id'],
      ['negative duration', `/api/v1/instances/${node.id}/force-on-demand`, { duration_hours: -1 }, 'duration_hours'],
      ['zero duration', '/api/v1/clusters/prod/force-on-demand', { duration_hours: 0 }, 'duration_hours'],
      ['too long', '/api/v1/clusters/prod/force-on-demand', { duration_hours: 100_000 }, 'duration_hours'],
      ['duration as text', '/api/v1/clusters/prod/force-on-demand', { duration_hours: '2' }, 'duration_hours'],
      ['unknown field', '/api/v1/clusters/prod/force-on-demand', { duration_hours: 2, durationHours: 2 }, 'durationHours'],
      ['fractional budget', '/api/v1/clusters/prod/force-on-demand', { max_parallel: 1.5 }, 'max_parallel'],
      ['budget of 0', '/api/v1/clients/default/force-on-demand', { max_parallel: 0 }, 'max_parallel'],
      ['body not an object', '/api/v1/clients/default/force-on-demand', [1], 'body'],
      ['reason not text', '/api/v1/clients/default/force-on-demand', { reason: 5 }, 'reason'],
    ];
    for (const [what, url, body, field] of cases) {
      const res = await w.request('POST', url, body);
      expect([what, res.statusCode]).toEqual([what, 400]);
      expect([what, res.json().error.parameter]).toEqual([what, field]);
    }
    expect((await w.request('DELETE', '/api/v1/instances/i-nope/force-on-demand')).statusCode).toBe(400);
    // Valid, but not this client's: 404, nothing stored.
    expect((await w.request('POST', '/api/v1/clusters/staging/force-on-demand', {})).statusCode).toBe(404);
    expect((await w.request('POST', '/api/v1/clients/someone-else/force-on-demand', {})).statusCode).toBe(404);
    expect((await w.request('POST', '/api/v1/instances/i-0123456789abcdef0/force-on-demand', {})).statusCode).toBe(404);
    expect((await w.request('DELETE', '/api/v1/clusters/prod/force-on-demand')).statusCode).toBe(404);
    expect(await snapshot(w)).toEqual(before);
  });

  it('a cluster-wide force waits for a second person when the policy says so, and moves nothing before', async () => {
    world = await SwitchWorld.start({ policy: { requireSecondPerson: ['cluster.force-on-demand'] } });
    const w = world;
    w.node('spot');
    await w.boot();
    const res = await w.request('POST', '/api/v1/clusters/prod/force-on-demand', { duration_hours: 1 }, 'alice');
    expect(res.statusCode).toBe(202);
    const { job, approval } = res.json();
    expect([job.status, approval.action, approval.status]).toEqual(['waiting-approval', 'cluster.force-on-demand', 'pending']);
    await w.sim.clock.advance(30_000);
    expect(w.launches).toHaveLength(0);
    expect((await w.request('POST', `/api/v1/approvals/${approval.id}/approve`, { reason: 'ok' }, 'alice')).statusCode).toBe(409);
    expect((await w.request('POST', `/api/v1/approvals/${approval.id}/approve`, { reason: 'ok' }, 'bob')).statusCode).toBe(200);
    expect((await w.driveJob(job.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    expect(w.liveNodes().map((i) => i.capacityType)).toEqual(['on-demand']);
  });
});
