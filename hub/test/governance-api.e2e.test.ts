import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionsHub, CLUSTER_TAG } from './jobs-fixture.ts';

// Governance over the API on real parts: instances in the sim's account, some of them
// nodes of a known cluster ("prod", by tag or by agent registration), others nobody's.
let hub: ActionsHub;
let taggedNode: string;
let registeredNode: string;
let untagged: string;
let spot: string;
let foreign: string;

beforeAll(async () => {
  hub = await ActionsHub.start();
  taggedNode = hub.launch({ [CLUSTER_TAG]: 'prod' });
  registeredNode = hub.launch({ Name: 'agent-reported' });
  hub.known = { clusterIds: new Set(['prod']), instanceIds: new Set([registeredNode]) };
  untagged = hub.launch({});
  spot = hub.launch({ Name: 'experiment' }, 'spot');
  foreign = hub.launch({ [CLUSTER_TAG]: 'decommissioned' });
  await hub.sim.clock.advance(3 * 3_600_000);
});
afterAll(async () => {
  await hub?.close();
});

type Finding = {
  id: string;
  reason: string;
  clusterTag: string | null;
  ageHours: number;
  hourlyCostUsd: number;
  monthlyCostUsd: number;
  ignored: boolean;
};

const flagged = async (q = '') =>
  (await hub.app.inject(`/api/v1/governance/instances${q}`)).json() as {
    instances: Finding[];
    totals: { count: number; hourlyCostUsd: number; monthlyCostUsd: number };
  };

describe('GET /api/v1/governance/instances', () => {
  it('flags instances no known cluster registered, with age and hourly and monthly cost; never a known node', async () => {
    const body = await flagged();
    expect(body.instances.map((i) => [i.id, i.reason, i.clusterTag, i.ageHours, i.hourlyCostUsd, i.monthlyCostUsd])).toEqual([
      [untagged, 'untagged', null, 3, 0.096, 70.08],
      [spot, 'untagged', null, 3, 0.035, 25.55],
      [foreign, 'unknown-cluster', 'decommissioned', 3, 0.096, 70.08],
    ]);
    expect(body.totals).toEqual({ count: 3, hourlyCostUsd: 0.23, monthlyCostUsd: 165.71, unpriced: 0 });
  });

  it('refuses unknown query parameters with a 400 naming them', async () => {
    const res = await hub.app.inject('/api/v1/governance/instances?all=1');
    expect([res.statusCode, res.json().error.parameter]).toEqual([400, 'all']);
  });
});

describe('POST /api/v1/governance/instances/apply', () => {
  it('never touches a node of a known cluster, tagged or registered: 409 naming each, nothing changes', async () => {
    const before = await hub.snapshotOfWorld();
    const res = await hub.post('/api/v1/governance/instances/apply', {
      instanceIds: [untagged, taggedNode, registeredNode],
      action: 'terminate',
      confirm: true,
      note: 'sweep',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toContain(taggedNode);
    expect(res.json().refused).toEqual([
      { id: taggedNode, reason: 'is a node of cluster prod' },
      { id: registeredNode, reason: 'is a registered node of a known cluster' },
    ]);
    const tagging = await hub.post('/api/v1/governance/instances/apply', { instanceIds: [registeredNode], action: 'tag-as-ignored' });
    expect(tagging.statusCode).toBe(409);
    const unknown = await hub.post('/api/v1/governance/instances/apply', {
      instanceIds: ['i-0123456789abcdef0'],
      action: 'tag-as-ignored',
    });
    expect(unknown.statusCode).toBe(404);
    expect(await hub.snapshotOfWorld()).toEqual(before);
  });

  it('refuses malformed bodies with a 400 naming the field, and nothing changes', async () => {
    const ok = { instanceIds: [untagged], action: 'terminate', confirm: true, note: 'sweep' };
    const before = await hub.snapshotOfWorld();
    const cases: Array<[unknown, string]> = [
      [{ action: 'terminate' }, 'instanceIds'],
      [{ ...ok, instanceIds: [] }, 'instanceIds'],
      [{ ...ok, instanceIds: [untagged, 'i-xyz'] }, 'instanceIds[1]'],
      [{ ...ok, instanceIds: [untagged, untagged] }, 'instanceIds[1]'],
      [{ ...ok, action: 'stop' }, 'action'],
      [{ ...ok, action: undefined }, 'action'],
      [{ ...ok, confirm: false }, 'confirm'],
      [{ ...ok, note: '' }, 'note'],
      [{ ...ok, force: true }, 'force'],
      [{ ...ok, dryRun: 0 }, 'dryRun'],
      ['terminate', 'body'],
    ];
    for (const [payload, parameter] of cases) {
      const res = await hub.post('/api/v1/governance/instances/apply', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.parameter, JSON.stringify(payload)).toBe(parameter);
    }
    expect(await hub.snapshotOfWorld()).toEqual(before);
  });

  it('dry-runs a termination: logs what it would do and its cost, terminates nothing', async () => {
    const res = await hub.post('/api/v1/governance/instances/apply', { instanceIds: [untagged, spot], action: 'terminate', dryRun: true });
    expect(res.statusCode).toBe(202);
    const job = await hub.until(res.json().job.id, 'succeeded');
    expect(job.steps.map((s) => s.status)).toEqual(['skipped', 'skipped']);
    expect(job.steps[0]?.message).toContain('$0.096/hour');
    expect(hub.calls.terminate).toEqual([]);
  });

  it('tags instances as ignored: they leave the list unless asked for', async () => {
    const res = await hub.post('/api/v1/governance/instances/apply', { instanceIds: [foreign], action: 'tag-as-ignored' }, 'carol');
    expect(res.statusCode).toBe(202);
    await hub.until(res.json().job.id, 'succeeded');
    expect(hub.sim.fleet.get(foreign)?.tags['ballast.io/governance']).toBe('ignored');
    expect((await flagged()).instances.map((i) => i.id)).toEqual([untagged, spot]);
    expect((await flagged('?includeIgnored=true')).instances.find((i) => i.id === foreign)?.ignored).toBe(true);
  });

  it('terminates flagged instances as an audited job with progress', async () => {
    const res = await hub.post(
      '/api/v1/governance/instances/apply',
      { instanceIds: [untagged, spot], action: 'terminate', confirm: true, note: 'nobody owns these' },
      'dave',
    );
    expect(res.statusCode).toBe(202);
    expect(res.json().instances.map((i: Finding) => i.monthlyCostUsd)).toEqual([70.08, 25.55]);
    const job = await hub.until(res.json().job.id, 'succeeded');
    expect(job.progress).toEqual({ done: 2, total: 2, percent: 100 });
    expect(hub.calls.terminate).toEqual([untagged, spot]);
    expect(hub.sim.fleet.get(taggedNode)?.state).toBe('running');
    const audit = (await hub.app.inject('/api/v1/audit?action=governance.instance.terminate')).json().entries as Array<{
      actor: string;
      target: string;
      details: { note: string };
    }>;
    expect(audit.map((e) => [e.actor, e.target, e.details.note])).toEqual([
      ['dave', `instance:${spot}`, 'nobody owns these'],
      ['dave', `instance:${untagged}`, 'nobody owns these'],
    ]);
  });
});
