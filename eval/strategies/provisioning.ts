import type { PodGroup } from '../../hub/src/decisions/index.ts';
import { type Bin, emptyBin, NO_LIMIT, type PerNodeLimit, packInto, room } from '../../hub/src/decisions/pod-fit.ts';
import type { ClusterNode } from '../cluster/cluster.ts';
import type { WorkloadSpec } from '../cluster/workloads.ts';
import type { PoolInfo } from '../data/replay-data.ts';
import type { StrategyWorld } from './strategy.ts';

/**
 * Helpers the baselines share: which pending pods still need a new node, how many pods a
 * new node of a pool takes, whether a node's pods fit on the others. Pods are grouped by
 * workload (the eval's workloads each have one pod shape).
 */

export interface Waiting extends PodGroup {
  spotAllowed: boolean;
}

export function perNodeLimit(w: StrategyWorld): PerNodeLimit {
  const specs = new Map(w.workloads.map((s) => [s.name, s]));
  return (name) => specs.get(name)?.maxPerNode ?? Number.POSITIVE_INFINITY;
}

function groupPods(pods: Iterable<{ workload: WorkloadSpec }>): Waiting[] {
  const by = new Map<WorkloadSpec, number>();
  for (const p of pods) by.set(p.workload, (by.get(p.workload) ?? 0) + 1);
  return [...by].map(([s, count]) => ({
    workload: s.name,
    count,
    cpuMillis: s.cpuMillis,
    memoryMib: s.memoryMib,
    spotAllowed: s.spotAllowed,
  }));
}

/** The node's pods that would have to move (terminating ones are leaving anyway). */
export function podsOf(node: ClusterNode): Waiting[] {
  return groupPods([...node.pods].filter((p) => p.state !== 'terminating'));
}

/** Free room on a node, counting pods of each workload already there. */
export function roomOf(node: ClusterNode): Bin {
  const perWorkload = new Map<string, number>();
  for (const p of node.pods) if (p.state !== 'terminating') perWorkload.set(p.workload.name, (perWorkload.get(p.workload.name) ?? 0) + 1);
  return { cpuMillis: Math.max(0, node.allocCpu - node.usedCpu), memoryMib: Math.max(0, node.allocMem - node.usedMem), perWorkload };
}

/** Packs pods into bins of spot and on-demand nodes (pods that do not tolerate spot only onto on-demand). What is left. */
export function packOnto(spot: Bin[], onDemand: Bin[], groups: readonly Waiting[], limit: PerNodeLimit = NO_LIMIT): Waiting[] {
  const left = packInto(
    spot,
    groups.filter((g) => g.spotAllowed),
    limit,
  ) as Waiting[];
  return packInto(onDemand, [...left, ...groups.filter((g) => !g.spotAllowed)], limit) as Waiting[];
}

/** Pending pods that neither nodes with room nor nodes still booting will take. */
export function waitingPods(w: StrategyWorld): Waiting[] {
  const pending = groupPods(w.pending());
  if (pending.length === 0) return [];
  const spot: Bin[] = [];
  const od: Bin[] = [];
  for (const n of w.nodes()) {
    if (n.cordoned || n.noticeAtMs !== null) continue;
    (n.pool.capacityType === 'spot' ? spot : od).push(roomOf(n));
  }
  return packOnto(spot, od, pending, perNodeLimit(w));
}

/** The pods a new node of the pool takes from the waiting ones; returns the rest. */
export function afterNewNode(w: StrategyWorld, pool: PoolInfo, waiting: readonly Waiting[]): Waiting[] {
  const bin = emptyBin(pool.vcpu * 1000 - w.overhead.cpuMillis, pool.memoryMib - w.overhead.memoryMib);
  return pool.capacityType === 'spot' ? packOnto([bin], [], waiting, perNodeLimit(w)) : packOnto([], [bin], waiting, perNodeLimit(w));
}

/** Pods of the waiting groups one new node of the pool takes. */
export function podsPerNewNode(w: StrategyWorld, pool: PoolInfo, waiting: readonly Waiting[]): number {
  const only = waiting.length === 1 ? waiting[0] : undefined;
  if (only) {
    // One shape (the common case): no packing needed.
    if (pool.capacityType === 'spot' && !only.spotAllowed) return 0;
    const bin = emptyBin(pool.vcpu * 1000 - w.overhead.cpuMillis, pool.memoryMib - w.overhead.memoryMib);
    return Math.min(only.count, room(bin, only, perNodeLimit(w)));
  }
  const before = waiting.reduce((s, g) => s + g.count, 0);
  const after = afterNewNode(w, pool, waiting).reduce((s, g) => s + g.count, 0);
  return before - after;
}

/**
 * Launches nodes until the waiting pods are covered: `choose` names the pool for the next
 * node (null: give up for now); a launch refused for capacity is reported and `choose` asked
 * again (it must avoid that pool). Returns the nodes launched.
 */
export function provision(
  w: StrategyWorld,
  choose: (waiting: Waiting[]) => PoolInfo | null,
  onFailure: (pool: PoolInfo) => void,
): ClusterNode[] {
  let waiting = waitingPods(w);
  const launched: ClusterNode[] = [];
  for (let guard = 0; waiting.length > 0 && guard < 200; guard++) {
    const pool = choose(waiting);
    if (pool === null) break;
    const r = w.launch(pool);
    if (!r.ok) {
      onFailure(pool);
      continue;
    }
    launched.push(r.node);
    const rest = afterNewNode(w, pool, waiting);
    if (rest.reduce((s, g) => s + g.count, 0) === waiting.reduce((s, g) => s + g.count, 0)) break;
    waiting = rest;
  }
  return launched;
}

/** Whether the node's pods fit on the free room of the other Ready, undisturbed nodes (minus `exclude`). */
export function fitsElsewhere(w: StrategyWorld, node: ClusterNode, exclude: ReadonlySet<string> = new Set()): boolean {
  const spot: Bin[] = [];
  const od: Bin[] = [];
  for (const n of w.nodes()) {
    if (n.id === node.id || exclude.has(n.id) || !n.ready || n.cordoned || n.noticeAtMs !== null) continue;
    (n.pool.capacityType === 'spot' ? spot : od).push(roomOf(n));
  }
  return packOnto(spot, od, podsOf(node), perNodeLimit(w)).length === 0;
}

/** The node runs a pod marked do-not-disrupt: voluntary actions leave it alone until the pod is done. */
export function holdsUndisruptable(node: ClusterNode): boolean {
  for (const p of node.pods) if (p.workload.doNotDisrupt && p.state !== 'terminating') return true;
  return false;
}

/** The busier resource's requested share of the node. */
export function utilization(node: ClusterNode): number {
  return Math.max(node.usedCpu / Math.max(1, node.allocCpu), node.usedMem / Math.max(1, node.allocMem));
}

/** The largest pod any workload asks for, to filter node types that cannot host it. */
export function fitsAllWorkloads(w: StrategyWorld, pool: PoolInfo): boolean {
  const cpu = pool.vcpu * 1000 - w.overhead.cpuMillis;
  const mem = pool.memoryMib - w.overhead.memoryMib;
  return w.workloads.every((s) => s.cpuMillis <= cpu && s.memoryMib <= mem);
}
