import { describe, expect, it } from 'vitest';
import type { PoolScore } from '../../scoring/index.ts';
import type { ViewNode, ViewPod } from './cluster-view.ts';
import { type CatalogPrices, engineInputFromCluster } from './live-engine-input.ts';

const T = Date.UTC(2021, 3, 15);
const catalog: CatalogPrices = {
  instanceType: (name: string) =>
    name === 'c5.xlarge'
      ? { instanceType: name, vcpu: 4, memoryMib: 8192, architectures: ['x86_64'], gpuCount: 0, supportsSpot: true, supportsOnDemand: true }
      : undefined,
  spotPrice: () => ({ pricePerHour: 0.07, observedAt: T, source: 'ec2' }),
  onDemandPrice: () => ({ pricePerHour: 0.17, observedAt: T, source: 'file' }),
} as unknown as CatalogPrices;

function pod(name: string, overrides: Partial<ViewPod> = {}): ViewPod {
  return {
    namespace: 'default',
    name,
    workload: 'default/ReplicaSet/web-1',
    controllerKind: 'ReplicaSet',
    labels: { app: 'web' },
    cpuMillis: 500,
    memoryMib: 1024,
    ready: true,
    terminating: false,
    doNotDisrupt: false,
    ...overrides,
  };
}

function viewNode(name: string, overrides: Partial<ViewNode> = {}): ViewNode {
  return {
    name,
    instanceId: 'i-1',
    instanceType: 'c5.xlarge',
    zone: 'us-east-1a',
    capacityType: 'spot',
    ready: true,
    cordoned: false,
    createdAtMs: null,
    pods: [],
    ...overrides,
  };
}

const parts = (nodes: ViewNode[], pending: ViewPod[] = []) => ({
  nowMs: T,
  cluster: {
    nodes,
    pending,
    pdbs: [
      {
        namespace: 'default',
        name: 'web',
        matchLabels: { app: 'web' },
        spec: { maxUnavailable: 1 },
        desiredHealthy: null,
        currentHealthy: null,
        expectedPods: null,
      },
    ],
  },
  scores: [{ poolId: 'c5.xlarge|us-east-1a|spot', instanceType: 'c5.xlarge', zone: 'us-east-1a', capacityType: 'spot' } as PoolScore],
  catalog,
  overrides: [],
  firstSeenMs: new Map([['n1', T - 3_600_000]]),
  nodeOverhead: { cpuMillis: 200, memoryMib: 1024 },
});

describe('engineInputFromCluster', () => {
  it('prices nodes from the catalog, keeps terminating pods’ room taken, and groups pods by workload', () => {
    const { input, skippedNodes } = engineInputFromCluster(
      parts([viewNode('n1', { pods: [pod('a'), pod('b'), pod('c', { terminating: true })] })], [pod('p', { ready: false })]),
    );
    expect(skippedNodes).toEqual([]);
    expect(input.nodes[0]).toMatchObject({
      id: 'n1',
      pool: { poolId: 'c5.xlarge|us-east-1a|spot' },
      pricePerHour: 0.07,
      onDemandPricePerHour: 0.17,
      launchedAtMs: T - 3_600_000,
      allocatable: { cpuMillis: 4000 - 200 - 500, memoryMib: 8192 - 1024 - 1024 },
      pods: [{ workload: 'default/ReplicaSet/web-1', count: 2, cpuMillis: 500, memoryMib: 1024 }],
    });
    expect(input.pending).toEqual([{ workload: 'default/ReplicaSet/web-1', count: 1, cpuMillis: 500, memoryMib: 1024, spotAllowed: true }]);
    // Two running + one pending (the terminating pod is leaving); the budget selecting app=web applies.
    expect(input.workloads).toEqual([
      { name: 'default/ReplicaSet/web-1', desired: 3, healthy: 2, pdb: { maxUnavailable: 1 }, spotAllowed: true, controller: 'deployment' },
    ]);
    expect(input.pools).toEqual([expect.objectContaining({ vcpu: 4, memoryMib: 8192, pricePerHour: 0.07, onDemandPricePerHour: 0.17 })]);
  });

  it('leaves out nodes it cannot place in a pool, saying why, and marks cordoned nodes disrupting', () => {
    const { input, skippedNodes } = engineInputFromCluster(
      parts([viewNode('n1', { cordoned: true }), viewNode('n2', { capacityType: null }), viewNode('n3', { instanceType: 'x9.huge' })]),
    );
    expect(input.nodes.map((n) => [n.id, n.disrupting])).toEqual([['n1', true]]);
    expect(skippedNodes).toEqual([
      { node: 'n2', reason: 'no instance-type, zone or capacity-type label' },
      { node: 'n3', reason: 'instance type x9.huge is not in the catalog' },
    ]);
  });

  it('marks a workload do-not-disrupt when any of its pods is', () => {
    const { input } = engineInputFromCluster(parts([viewNode('n1', { pods: [pod('a', { doNotDisrupt: true }), pod('b')] })]));
    expect(input.workloads[0]?.doNotDisrupt).toBe(true);
  });
});
