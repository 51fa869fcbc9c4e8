import type { EngineInput, NodeSnapshot, PendingPods, PodGroup, PoolState } from '../../../hub/src/decisions/index.ts';
import type { PoolScore } from '../../../hub/src/scoring/index.ts';
import type { PlacementPlan } from '../../../hub/src/solver/index.ts';
import type { ClusterNode } from '../../cluster/cluster.ts';
import type { PoolInfo } from '../../data/replay-data.ts';
import type { StrategyWorld } from '../strategy.ts';

/** The pool as the engine names it. */
export function poolState(w: StrategyWorld, p: PoolInfo, score: PoolScore | null): PoolState | null {
  const price = p.capacityType === 'spot' ? w.prices.spot(p) : p.onDemandPrice;
  if (price === undefined) return null;
  return {
    pool: { poolId: p.poolId, instanceType: p.instanceType, zone: p.zone, capacityType: p.capacityType },
    arch: p.arch,
    vcpu: p.vcpu,
    memoryMib: p.memoryMib,
    pricePerHour: price,
    onDemandPricePerHour: p.onDemandPrice,
    score,
  };
}

function nodeSnapshot(w: StrategyWorld, n: ClusterNode): NodeSnapshot {
  const groups = new Map<string, PodGroup>();
  let leavingCpu = 0;
  let leavingMem = 0;
  for (const p of n.pods) {
    if (p.state === 'terminating') {
      leavingCpu += p.workload.cpuMillis;
      leavingMem += p.workload.memoryMib;
      continue;
    }
    const g = groups.get(p.workload.name) ?? {
      workload: p.workload.name,
      count: 0,
      cpuMillis: p.workload.cpuMillis,
      memoryMib: p.workload.memoryMib,
    };
    g.count++;
    groups.set(p.workload.name, g);
  }
  return {
    id: n.id,
    pool: { poolId: n.pool.poolId, instanceType: n.pool.instanceType, zone: n.pool.zone, capacityType: n.pool.capacityType },
    pricePerHour: w.pricePaid(n),
    onDemandPricePerHour: n.pool.onDemandPrice,
    launchedAtMs: n.launchedAtMs,
    ready: n.ready,
    disrupting: w.isDraining(n) || n.cordoned,
    interruptionNoticeAtMs: n.noticeAtMs,
    rebalanceAtMs: n.rebalanceAtMs,
    scheduledEventAtMs: n.scheduledEventAtMs,
    // Pods still terminating hold their room until they are gone.
    allocatable: { cpuMillis: n.allocCpu - leavingCpu, memoryMib: n.allocMem - leavingMem },
    pods: [...groups.values()],
  };
}

/**
 * The engine's input from what the cluster and the cloud show: nodes (launching ones
 * included) with their pods and current prices, PDB status, pending pods, every candidate
 * pool priced now (spot ones with their score), the plan.
 */
export function engineInput(
  w: StrategyWorld,
  pools: readonly PoolState[],
  plan: { plan: PlacementPlan; solvedAtMs: number } | null,
): EngineInput {
  const pending = new Map<string, PendingPods>();
  for (const p of w.pending()) {
    const g = pending.get(p.workload.name) ?? {
      workload: p.workload.name,
      count: 0,
      cpuMillis: p.workload.cpuMillis,
      memoryMib: p.workload.memoryMib,
      spotAllowed: p.workload.spotAllowed,
    };
    g.count++;
    pending.set(p.workload.name, g);
  }
  return {
    nowMs: w.nowMs,
    nodes: w.nodes().map((n) => nodeSnapshot(w, n)),
    workloads: w.workloads.map((s) => w.status(s)),
    pending: [...pending.values()],
    pools: [...pools],
    plan,
    nodeOverhead: w.overhead,
  };
}
