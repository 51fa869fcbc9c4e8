import { CLUSTER_TAG, kubeResources as R } from '@ballast/sim';
import { afterEach, describe, expect, it } from 'vitest';
import { SWITCH_TAGS } from '../src/switches/switch-ports.ts';
import { healthy, SwitchWorld } from './switch-fixture.ts';

// Switches against the sim's EC2 endpoint (the real AWS SDK) and the sim's kube-apiserver
// (the real @kubernetes/client-node), jobs on PGlite, time on the sim's manual clock. The
// nodes have no agent, so the drain goes through the eviction API from the hub.
let world: SwitchWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const onDemand = (id: string) => ({
  clusterId: 'prod',
  instanceId: id,
  to: { instanceType: 'm5.large', zone: 'us-east-1b', capacityType: 'on-demand' },
  reason: 'test switch',
  savingsPerHour: -0.05,
});

describe('switch execution', () => {
  it('switches a node under a PDB with maxUnavailable 1: never two of its pods disrupted at once, none lost', async () => {
    world = await SwitchWorld.start();
    const w = world;
    const old = w.node('spot');
    w.node('spot');
    await w.boot({
      deployments: [{ name: 'web', replicas: 6, cpu: '250m', pdb: { maxUnavailable: 1 }, terminationGracePeriodSeconds: 5 }],
    });
    const k = w.kube.get('prod');
    const onOld = w.pods('web').filter((p) => p.spec.nodeName === old.privateDnsName).length;
    expect(onOld).toBeGreaterThanOrEqual(2);
    expect(w.pods('web').filter(healthy)).toHaveLength(6);
    // Every change to a pod: how many of the six are not healthy right then.
    let worst = 0;
    const off = k?.store.subscribe(R.pods, () => {
      worst = Math.max(worst, 6 - w.pods('web').filter(healthy).length);
    });
    const id = await w.submitSwitch(onDemand(old.id));
    const done = await w.driveJob(id, ['succeeded', 'failed'], 1_000, 90_000);
    off?.();
    expect(done.status).toBe('succeeded');
    expect(done.steps.map((s) => [s.name, s.status])).toEqual([
      ['launch', 'succeeded'],
      ['wait-ready', 'succeeded'],
      ['drain', 'succeeded'],
      ['terminate-old', 'succeeded'],
    ]);
    expect(worst).toBe(1);
    expect(k?.stats.podsLost).toBe(0);
    const replacement = w.sim.fleet.list().filter((i) => i.tags[SWITCH_TAGS.replaces] === old.id);
    expect(replacement).toHaveLength(1);
    expect([replacement[0]?.capacityType, replacement[0]?.availabilityZone, replacement[0]?.tags[CLUSTER_TAG]]).toEqual([
      'on-demand',
      'us-east-1b',
      'prod',
    ]);
    expect(replacement[0]?.tags[SWITCH_TAGS.job]).toBe(id);
    expect(['shutting-down', 'terminated']).toContain(w.sim.fleet.get(old.id)?.state);
    await w.drive('the pods to settle', () => (w.pods('web').filter(healthy).length === 6 ? true : undefined));
    expect(w.pods('web').every((p) => p.spec.nodeName !== old.privateDnsName)).toBe(true);

    const history = (await w.request('GET', `/api/v1/instances/${old.id}/switch-history`)).json();
    expect(history.switches).toHaveLength(1);
    expect(history.switches[0]).toMatchObject({
      jobId: id,
      instanceId: old.id,
      replacementId: replacement[0]?.id,
      from: { instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'spot' },
      to: { instanceType: 'm5.large', zone: 'us-east-1b', capacityType: 'on-demand' },
      reason: 'test switch',
      savingsPerHour: -0.05,
      outcome: 'switched',
    });
    expect(history.switches[0].finishedAt).not.toBeNull();
    // The replacement's own history names the switch that launched it.
    expect((await w.request('GET', `/api/v1/instances/${replacement[0]?.id}/switch-history`)).json().switches[0].jobId).toBe(id);
    const audit = (await w.request('GET', `/api/v1/audit?limit=200`)).json().entries as Array<{ action: string; target: string }>;
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining(['switch.launch', 'switch.drain', 'switch.terminate', 'job.succeeded']),
    );
  });

  it('rolls back a replacement that never becomes Ready: terminated, and the old node untouched', async () => {
    world = await SwitchWorld.start({ timings: { readyTimeoutMs: 30_000 } });
    const w = world;
    const old = w.node('spot');
    await w.boot({ deployments: [{ name: 'web', replicas: 2, cpu: '250m', pdb: { maxUnavailable: 1 } }] });
    const before = w
      .pods('web')
      .map((p) => `${p.metadata.name}@${p.spec.nodeName}`)
      .sort();
    // The replacement's boot never finishes within the test.
    w.sim.fleet.options.bootDelayMs = 10 * 3_600_000;
    const id = await w.submitSwitch(onDemand(old.id));
    const done = await w.driveJob(id, ['succeeded', 'failed'], 5_000);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/rolled back: i-\w+ was not a Ready node within 30000 ms/);
    expect(done.steps.map((s) => s.status)).toEqual(['succeeded', 'failed', 'pending', 'pending']);
    const replacement = w.sim.fleet.list().filter((i) => i.tags[SWITCH_TAGS.replaces] === old.id);
    expect(replacement).toHaveLength(1);
    expect(['shutting-down', 'terminated']).toContain(replacement[0]?.state);
    expect(w.sim.fleet.get(old.id)?.state).toBe('running');
    const node = w.nodeObject(old.privateDnsName);
    expect(node?.spec.unschedulable).toBeFalsy();
    expect(
      w
        .pods('web')
        .map((p) => `${p.metadata.name}@${p.spec.nodeName}`)
        .sort(),
    ).toEqual(before);
    const history = (await w.request('GET', `/api/v1/instances/${old.id}/switch-history`)).json();
    expect(history.switches[0]).toMatchObject({ outcome: 'rolled-back', replacementId: replacement[0]?.id });
    const audit = (await w.request('GET', '/api/v1/audit?action=switch.rollback')).json().entries;
    expect(audit).toHaveLength(1);
  });

  it('under an interruption notice drains at once, without waiting for the replacement to be Ready', async () => {
    world = await SwitchWorld.start({ timings: { readyTimeoutMs: 30_000 } });
    const w = world;
    const old = w.node('spot');
    w.node('on-demand');
    await w.boot({ deployments: [{ name: 'web', replicas: 3, cpu: '250m', terminationGracePeriodSeconds: 5 }] });
    w.sim.fleet.options.bootDelayMs = 10 * 3_600_000;
    const deadline = w.sim.clock.now() + 120_000;
    const id = await w.submitSwitch({ ...onDemand(old.id), noticeDeadlineMs: deadline });
    const done = await w.driveJob(id, ['succeeded', 'failed'], 2_000);
    expect(done.status).toBe('succeeded');
    expect(done.steps.map((s) => s.name)).toEqual(['launch', 'drain', 'wait-ready', 'terminate-old']);
    // The drain finished before the replacement was Ready (it never was): the notice does not wait.
    expect(done.steps[2]?.message).toMatch(/interruption: no roll-back/);
    expect(w.sim.clock.now()).toBeLessThanOrEqual(deadline + 5_000);
    expect(w.kube.get('prod')?.stats.podsLost).toBe(0);
  });
});
