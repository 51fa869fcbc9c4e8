import { describe, expect, it } from 'vitest';
import type { ClusterNode, Pod } from '../cluster/cluster.ts';
import { webService } from '../cluster/workloads.ts';
import type { PoolInfo } from '../data/replay-data.ts';
import { AsgStrategy } from './asg-strategy.ts';
import { KarpenterLike } from './karpenter-like.ts';
import type { AwsView, LaunchResult, StrategyWorld } from './strategy.ts';

function pool(type: string, zone: string, vcpu: number, od: number, capacityType: 'spot' | 'on-demand' = 'spot'): PoolInfo {
  return {
    poolId: `${type}|${zone}|${capacityType}`,
    instanceType: type,
    family: type.split('.')[0] as string,
    zone,
    capacityType,
    vcpu,
    memoryMib: vcpu * 4096,
    arch: 'x86_64',
    onDemandPrice: od,
    advisorBucket: '<5%',
  };
}

/** A stub world: `pendingPods` web pods wait, launches are recorded (and refused for `full` pools). */
function stub(spot: PoolInfo[], prices: Record<string, number>, pendingPods: number, full: string[] = []) {
  const spec = { ...webService(), replicas: () => pendingPods };
  const launched: string[] = [];
  const nodes: ClusterNode[] = [];
  const pods = Array.from({ length: pendingPods }, (_, i) => ({ id: i, workload: spec, state: 'pending' }) as unknown as Pod);
  const w: StrategyWorld = {
    nowMs: 0,
    spotPools: spot,
    onDemandPools: spot.map((p) => ({ ...p, poolId: p.poolId.replace('spot', 'on-demand'), capacityType: 'on-demand' as const })),
    prices: { spot: (p) => prices[`${p.instanceType}|${p.zone}`], changes: () => [], onDemand: () => 1 },
    overhead: { cpuMillis: 200, memoryMib: 1024 },
    workloads: [spec],
    nodes: () => nodes,
    pending: () => pods,
    status: () => ({ name: 'web', desired: pendingPods, healthy: 0, pdb: null, spotAllowed: true }),
    pricePaid: () => 0,
    launch(p): LaunchResult {
      if (full.includes(p.poolId)) return { ok: false, reason: 'InsufficientInstanceCapacity' };
      launched.push(p.poolId);
      const node = {
        id: `n${launched.length}`,
        pool: p,
        pods: new Set(),
        allocCpu: p.vcpu * 1000 - 200,
        allocMem: p.memoryMib - 1024,
        usedCpu: 0,
        usedMem: 0,
        cordoned: false,
        noticeAtMs: null,
        ready: false,
      } as unknown as ClusterNode;
      nodes.push(node);
      return { ok: true, node };
    },
    drain: () => undefined,
    terminate: () => undefined,
    isDraining: () => false,
  };
  return { w, launched };
}

const A = pool('m5.xlarge', 'us-east-1a', 4, 0.192);
const B = pool('c5.xlarge', 'us-east-1a', 4, 0.17);
const C = pool('r5.xlarge', 'us-east-1a', 4, 0.252);
const prices = { 'm5.xlarge|us-east-1a': 0.07, 'c5.xlarge|us-east-1a': 0.06, 'r5.xlarge|us-east-1a': 0.05 };
const hazards: Record<string, number> = { [A.poolId]: 1e-5, [B.poolId]: 1.4e-5, [C.poolId]: 1e-4 };
const aws: AwsView = { hazardPerHour: (p) => hazards[p.poolId] ?? 1, available: () => 100 };

describe('ASG allocation strategies', () => {
  it('price-capacity-optimized: the cheapest pool among those AWS deems least likely to be interrupted', () => {
    const s = new AsgStrategy('price-capacity-optimized', aws);
    const { w, launched } = stub([A, B, C], prices, 7);
    s.start(w);
    s.tick(w);
    expect(launched).toEqual([B.poolId]);
  });

  it('capacity-optimized: the least likely to be interrupted, whatever the price', () => {
    const s = new AsgStrategy('capacity-optimized', aws);
    const { w, launched } = stub([A, B, C], prices, 7);
    s.start(w);
    s.tick(w);
    expect(launched).toEqual([A.poolId]);
  });

  it('lowest-price: spreads over the two cheapest pools of the zone', () => {
    const s = new AsgStrategy('lowest-price', aws);
    const { w, launched } = stub([A, B, C], prices, 21);
    s.start(w);
    s.tick(w);
    expect(launched.sort()).toEqual([B.poolId, C.poolId, C.poolId].sort());
  });
});

describe('karpenter-like', () => {
  it('provisions the offering cheapest per pod, and on-demand only when every spot launch fails', () => {
    const big = pool('c5.4xlarge', 'us-east-1a', 16, 0.68);
    const p = { ...prices, 'c5.4xlarge|us-east-1a': 0.2 };
    const one = stub([A, B, big], p, 29);
    new KarpenterLike().tick(one.w);
    expect(one.launched).toEqual([big.poolId]);
    const failing = stub([A, B, big], p, 7, [A.poolId, B.poolId, big.poolId]);
    new KarpenterLike().tick(failing.w);
    expect(failing.launched).toEqual(['c5.xlarge|us-east-1a|on-demand']);
  });
});
