import type { SimInstance } from '@ballast/sim';
import { afterEach, describe, expect, it } from 'vitest';
import { healthy, SwitchWorld } from './switch-fixture.ts';

// Removing an empty node, as `--decisions execute` does for an empty-node consolidation:
// the sim's EC2 endpoint through the AWS SDK, the sim's kube-apiserver through client-node,
// jobs on PGlite, time on the sim's manual clock.
let world: SwitchWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const GONE = ['shutting-down', 'terminated'];

/** Two nodes and one pod: answers the node the pod runs on and the empty one. */
async function twoNodesOnePod(w: SwitchWorld): Promise<{ busy: SimInstance; empty: SimInstance }> {
  const a = w.node('spot');
  const b = w.node('spot');
  await w.boot({ deployments: [{ name: 'web', replicas: 1, cpu: '250m', pdb: { maxUnavailable: 1 } }] });
  await w.drive('the pod to run', () => (w.pods('web').filter(healthy).length === 1 ? true : undefined));
  const on = w.pods('web')[0]?.spec.nodeName;
  return on === a.privateDnsName ? { busy: a, empty: b } : { busy: b, empty: a };
}

async function remove(w: SwitchWorld, instanceId: string, dryRun = false): Promise<string> {
  const { job } = await w.plane.jobs.submit({
    clientId: 'default',
    kind: 'remove-node',
    params: { clusterId: 'prod', instanceId, reason: 'consolidate (empty-node)', savingsPerHour: 0.03, decisionId: 'd-1' },
    dryRun,
    note: 'test',
    actor: 'tester',
    sourceIp: null,
  });
  return job.id;
}

describe('remove-node job', () => {
  it('cordons an empty node, finds it still empty and terminates it; the other node and its pod are untouched', async () => {
    world = await SwitchWorld.start();
    const w = world;
    const { busy, empty } = await twoNodesOnePod(w);
    const { job } = await w.plane.switches.remove({
      clientId: 'default',
      clusterId: 'prod',
      instanceId: empty.id,
      reason: 'consolidate (empty-node)',
      savingsPerHour: 0.03,
      decisionId: 'd-1',
      actor: 'decision-engine',
    });
    const done = await w.driveJob(job.id, ['succeeded', 'failed']);
    expect(done.status, JSON.stringify(done)).toBe('succeeded');
    expect(done.steps.map((s) => [s.name, s.status])).toEqual([
      ['cordon-empty', 'succeeded'],
      ['terminate', 'succeeded'],
    ]);
    expect(GONE).toContain(w.sim.fleet.get(empty.id)?.state);
    expect(w.sim.fleet.get(busy.id)?.state).toBe('running');
    expect(w.pods('web').filter(healthy)).toHaveLength(1);
    expect(w.kube.get('prod')?.stats.podsLost).toBe(0);
    // Nothing was launched: a removal has no replacement.
    expect(w.launches).toHaveLength(0);
    const audit = (await w.request('GET', '/api/v1/audit?limit=50')).json().entries as Array<{
      action: string;
      target: string;
      actor: string;
    }>;
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'node.remove', target: `instance:${empty.id}`, actor: 'decision-engine' }),
    );
  });

  it('keeps a node that holds pods: uncordoned, running, its pod untouched, the job failed naming the pod count', async () => {
    world = await SwitchWorld.start();
    const w = world;
    const { busy } = await twoNodesOnePod(w);
    const id = await remove(w, busy.id);
    const done = await w.driveJob(id, ['succeeded', 'failed']);
    expect(done.status).toBe('failed');
    expect(JSON.stringify(done)).toMatch(/holds 1 pod\(s\) again/);
    expect(w.sim.fleet.get(busy.id)?.state).toBe('running');
    expect(w.nodeObject(busy.privateDnsName as string)?.spec?.unschedulable ?? false).toBe(false);
    expect(w.pods('web').filter(healthy)).toHaveLength(1);
    expect(w.pods('web')[0]?.spec.nodeName).toBe(busy.privateDnsName);
  });

  it('in a dry run changes nothing; bad parameters are refused naming the field', async () => {
    world = await SwitchWorld.start();
    const w = world;
    const { empty } = await twoNodesOnePod(w);
    const done = await w.driveJob(await remove(w, empty.id, true), ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    expect(w.sim.fleet.get(empty.id)?.state).toBe('running');
    expect(w.nodeObject(empty.privateDnsName as string)?.spec?.unschedulable ?? false).toBe(false);
    await expect(remove(w, 'vol-123')).rejects.toThrow(/instanceId/);
  });
});
