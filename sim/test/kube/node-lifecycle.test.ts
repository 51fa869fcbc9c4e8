import { afterEach, describe, expect, it } from 'vitest';
import { CLUSTER_TAG, Fleet } from '../../src/core/fleet.ts';
import { ManualClock } from '../../src/core/sim-clock.ts';
import { type KubeApiServer, seedWorkloads, settleKube as settle, startKubeApiServer } from '../../src/kube/index.ts';
import { R } from '../../src/kube/resources.ts';
import type { Node, Pod } from '../../src/kube/types.ts';

describe('nodes follow the fleet', () => {
  let server: KubeApiServer | undefined;
  afterEach(async () => server?.close());

  it('registers a node after the boot delay; on termination the node goes NotReady, its pods are lost, then it is deleted and the pods move', async () => {
    const clock = new ManualClock(Date.parse('2025-01-01T00:00:00Z'));
    const fleet = new Fleet(clock, { bootDelayMs: 30_000, shutdownDelayMs: 5_000 });
    server = await startKubeApiServer({
      fleet,
      clock,
      clusterName: 'prod',
      nodeDeleteDelayMs: 20_000,
      resolveShape: (t) => (t === 'c6g.2xlarge' ? { cpu: 8, memoryMiB: 16_384, pods: 58 } : { cpu: 4, memoryMiB: 16_384, pods: 29 }),
    });
    const store = server.store;
    const spot = fleet.launch({
      instanceType: 'c6g.2xlarge',
      availabilityZone: 'us-west-2b',
      capacityType: 'spot',
      imageId: 'ami-1',
      tags: { [CLUSTER_TAG]: 'prod' },
    });
    const od = fleet.launch({
      instanceType: 'm5.xlarge',
      availabilityZone: 'us-west-2a',
      capacityType: 'on-demand',
      imageId: 'ami-1',
      tags: { [CLUSTER_TAG]: 'prod' },
    });
    fleet.launch({
      instanceType: 'm5.xlarge',
      availabilityZone: 'us-west-2a',
      capacityType: 'spot',
      imageId: 'ami-1',
      tags: { [CLUSTER_TAG]: 'other-cluster' },
    });

    await clock.advance(29_999);
    expect(store.count(R.nodes)).toBe(0);
    await clock.advance(1);
    expect(store.count(R.nodes)).toBe(2);

    const node = store.get(R.nodes, undefined, spot.privateDnsName) as Node;
    expect(node.metadata.labels).toMatchObject({
      'kubernetes.io/hostname': spot.privateDnsName,
      'node.kubernetes.io/instance-type': 'c6g.2xlarge',
      'topology.kubernetes.io/zone': 'us-west-2b',
      'topology.kubernetes.io/region': 'us-west-2',
      'kubernetes.io/arch': 'arm64',
      'karpenter.sh/capacity-type': 'spot',
      'eks.amazonaws.com/capacityType': 'SPOT',
    });
    expect(node.spec.providerID).toBe(`aws:///us-west-2b/${spot.id}`);
    expect(node.status.capacity).toMatchObject({ cpu: '8', memory: `${16_384 * 1024}Ki`, pods: '58' });
    expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect((store.get(R.nodes, undefined, od.privateDnsName) as Node).metadata.labels?.['eks.amazonaws.com/capacityType']).toBe(
      'ON_DEMAND',
    );

    seedWorkloads(server, { deployments: [{ name: 'api', replicas: 6, cpu: '250m' }], daemonSet: { name: 'agent' } });
    await settle(server);
    const pods = () => store.list(R.pods, 'default') as Pod[];
    const onSpot = pods().filter((p) => p.spec.nodeName === spot.privateDnsName && p.metadata.labels?.app === 'api');
    expect(onSpot.length).toBeGreaterThan(0);

    fleet.terminate(spot.id, 'test');
    await clock.advance(5_000);
    await settle(server);
    const lost = store.get(R.nodes, undefined, spot.privateDnsName) as Node;
    expect(lost.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('Unknown');
    expect(lost.spec.taints?.map((t) => `${t.key}:${t.effect}`)).toContain('node.kubernetes.io/unreachable:NoExecute');
    // Daemon pods are not counted: they die with every node.
    expect(server.stats.podsLost).toBe(onSpot.length);
    expect(server.stats.lostPods.map((p) => p.name).sort()).toEqual(onSpot.map((p) => p.metadata.name).sort());
    expect(server.stats.lostPods[0]).toMatchObject({
      namespace: 'default',
      node: spot.privateDnsName,
      instanceId: spot.id,
      owner: { kind: 'ReplicaSet' },
      atMs: clock.now(),
    });
    expect([...server.stats.lossesByOwner().values()]).toEqual([onSpot.length]);

    await clock.advance(20_000);
    await settle(server);
    expect(store.get(R.nodes, undefined, spot.privateDnsName)).toBeUndefined();
    const api = pods().filter((p) => p.metadata.labels?.app === 'api');
    expect(api).toHaveLength(6);
    expect(api.every((p) => p.spec.nodeName === od.privateDnsName && p.status?.phase === 'Running')).toBe(true);
    expect(pods().filter((p) => p.metadata.labels?.app === 'agent')).toHaveLength(1);
  });

  it('registers instances that were already running when the server started', async () => {
    const clock = new ManualClock(0);
    const fleet = new Fleet(clock, { bootDelayMs: 1_000, shutdownDelayMs: 1_000 });
    const i = fleet.launch({
      instanceType: 'r5.large',
      availabilityZone: 'eu-west-1c',
      capacityType: 'spot',
      imageId: 'ami-1',
      tags: { [CLUSTER_TAG]: 'c' },
    });
    await clock.advance(1_000);
    server = await startKubeApiServer({ fleet, clock, clusterName: 'c' });
    const node = server.store.get(R.nodes, undefined, i.privateDnsName) as Node;
    expect(node.status.capacity).toMatchObject({ cpu: '2', memory: `${16 * 1024 * 1024}Ki` });
  });
});
