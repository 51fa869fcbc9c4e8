import type { Catalog } from '../../catalog/catalog.ts';
import type { PoolScore } from '../../scoring/index.ts';
import type { ForceOnDemandOverride } from '../../solver/index.ts';
import type { EngineInput, NodeSnapshot, PendingPods, PodGroup, PoolState, WorkloadStatus } from '../engine-input.ts';
import type { PlanWorkload } from '../plan-problem.ts';
import type { ClusterSnapshot, ViewNode, ViewPdb, ViewPod } from './cluster-view.ts';

export type CatalogPrices = Pick<Catalog, 'instanceType' | 'spotPrice' | 'onDemandPrice'>;

/** What the hub knows of a node beyond the cluster: interruption notices and rebalances its agent reported. */
export interface NodeSignals {
  interruptionNoticeAtMs: number | null;
  rebalanceAtMs: number | null;
  scheduledEventAtMs: number | null;
}

export interface LiveInputParts {
  nowMs: number;
  cluster: ClusterSnapshot;
  /** Every pool's score under the model the engine decides with (spot and on-demand). */
  scores: readonly PoolScore[];
  catalog: CatalogPrices;
  overrides: ForceOnDemandOverride[];
  /** When the loop first saw each node (the cluster port reports no creation time). */
  firstSeenMs: ReadonlyMap<string, number>;
  signals?: (node: ViewNode) => NodeSignals | null;
  nodeOverhead: { cpuMillis: number; memoryMib: number };
}

export interface LiveInput {
  input: EngineInput;
  /** The workloads with their pods' requests (the largest pod's), for the solver's plan. */
  planWorkloads: PlanWorkload[];
  /** Nodes left out, with why (no instance type, zone or capacity label; type unknown to the catalog). */
  skippedNodes: Array<{ node: string; reason: string }>;
}

/** Engine ids are node names; a node's instance id travels in the decision's inputs via this map. */
export function engineInputFromCluster(p: LiveInputParts): LiveInput {
  const pools = poolStates(p.scores, p.catalog);
  const skippedNodes: LiveInput['skippedNodes'] = [];
  const nodes: NodeSnapshot[] = [];
  for (const n of p.cluster.nodes) {
    const snap = nodeSnapshot(n, p);
    if (typeof snap === 'string') skippedNodes.push({ node: n.name, reason: snap });
    else nodes.push(snap);
  }
  const statuses = workloads(p.cluster);
  return {
    planWorkloads: planWorkloads(p.cluster, statuses),
    input: {
      nowMs: p.nowMs,
      nodes,
      workloads: statuses,
      pending: pendingGroups(p.cluster.pending),
      pools,
      plan: null,
      overrides: p.overrides,
      nodeOverhead: p.nodeOverhead,
    },
    skippedNodes,
  };
}

function poolStates(scores: readonly PoolScore[], catalog: CatalogPrices): PoolState[] {
  const out: PoolState[] = [];
  for (const s of scores) {
    const t = catalog.instanceType(s.instanceType);
    const onDemand = catalog.onDemandPrice(s.instanceType)?.pricePerHour;
    const price = s.capacityType === 'spot' ? catalog.spotPrice(s.instanceType, s.zone)?.pricePerHour : onDemand;
    if (!t || price === undefined || onDemand === undefined) continue;
    out.push({
      pool: { poolId: s.poolId, instanceType: s.instanceType, zone: s.zone, capacityType: s.capacityType },
      arch: t.architectures.includes('arm64') && !t.architectures.includes('x86_64') ? 'arm64' : 'x86_64',
      vcpu: t.vcpu,
      memoryMib: t.memoryMib,
      pricePerHour: price,
      onDemandPricePerHour: onDemand,
      score: s.capacityType === 'spot' ? s : null,
    });
  }
  return out;
}

function nodeSnapshot(n: ViewNode, p: LiveInputParts): NodeSnapshot | string {
  if (!n.instanceType || !n.zone || !n.capacityType) return 'no instance-type, zone or capacity-type label';
  const t = p.catalog.instanceType(n.instanceType);
  const onDemand = p.catalog.onDemandPrice(n.instanceType)?.pricePerHour;
  if (!t || onDemand === undefined) return `instance type ${n.instanceType} is not in the catalog`;
  const price = n.capacityType === 'spot' ? (p.catalog.spotPrice(n.instanceType, n.zone)?.pricePerHour ?? onDemand) : onDemand;
  const signals = p.signals?.(n) ?? null;
  let leavingCpu = 0;
  let leavingMem = 0;
  const staying: ViewPod[] = [];
  for (const pod of n.pods) {
    // A terminating pod holds its room until it is gone, but is no longer the node's to move.
    if (pod.terminating) {
      leavingCpu += pod.cpuMillis;
      leavingMem += pod.memoryMib;
    } else staying.push(pod);
  }
  return {
    id: n.name,
    pool: {
      poolId: `${n.instanceType}|${n.zone}|${n.capacityType}`,
      instanceType: n.instanceType,
      zone: n.zone,
      capacityType: n.capacityType,
    },
    pricePerHour: price,
    onDemandPricePerHour: onDemand,
    launchedAtMs: n.createdAtMs ?? p.firstSeenMs.get(n.name) ?? p.nowMs,
    ready: n.ready,
    disrupting: n.cordoned,
    interruptionNoticeAtMs: signals?.interruptionNoticeAtMs ?? null,
    rebalanceAtMs: signals?.rebalanceAtMs ?? null,
    scheduledEventAtMs: signals?.scheduledEventAtMs ?? null,
    allocatable: {
      cpuMillis: Math.max(0, t.vcpu * 1000 - p.nodeOverhead.cpuMillis - leavingCpu),
      memoryMib: Math.max(0, t.memoryMib - p.nodeOverhead.memoryMib - leavingMem),
    },
    pods: groups(staying),
  };
}

function groups(pods: readonly ViewPod[]): PodGroup[] {
  const byKey = new Map<string, PodGroup>();
  for (const pod of pods) {
    const key = `${pod.workload}\0${pod.cpuMillis}\0${pod.memoryMib}`;
    const g = byKey.get(key) ?? { workload: pod.workload, count: 0, cpuMillis: pod.cpuMillis, memoryMib: pod.memoryMib };
    g.count++;
    byKey.set(key, g);
  }
  return [...byKey.values()];
}

function pendingGroups(pods: readonly ViewPod[]): PendingPods[] {
  return groups(pods).map((g) => ({ ...g, spotAllowed: true }));
}

const CONTROLLERS: Record<string, WorkloadStatus['controller']> = {
  ReplicaSet: 'deployment',
  Deployment: 'deployment',
  StatefulSet: 'statefulset',
  Job: 'job',
};

/** Workloads as the PDB math needs them: pods per controller, the ready ones, and the budget selecting them. */
function workloads(c: ClusterSnapshot): WorkloadStatus[] {
  const all = [...c.nodes.flatMap((n) => n.pods.filter((p) => !p.terminating)), ...c.pending];
  const by = new Map<string, ViewPod[]>();
  for (const p of all) by.set(p.workload, [...(by.get(p.workload) ?? []), p]);
  const out: WorkloadStatus[] = [];
  for (const [name, pods] of by) {
    const first = pods[0] as ViewPod;
    const pdb = c.pdbs.find((b) => b.namespace === first.namespace && selects(b, first));
    const controller = first.controllerKind ? CONTROLLERS[first.controllerKind] : undefined;
    out.push({
      name,
      desired: pods.length,
      healthy: pods.filter((p) => p.ready).length,
      pdb: pdb ? pdb.spec : null,
      spotAllowed: true,
      ...(controller ? { controller } : {}),
      ...(pods.some((p) => p.doNotDisrupt) ? { doNotDisrupt: true } : {}),
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function planWorkloads(c: ClusterSnapshot, statuses: WorkloadStatus[]): PlanWorkload[] {
  const size = new Map<string, { cpuMillis: number; memoryMib: number }>();
  for (const p of [...c.nodes.flatMap((n) => n.pods.filter((x) => !x.terminating)), ...c.pending]) {
    const s = size.get(p.workload) ?? { cpuMillis: 0, memoryMib: 0 };
    size.set(p.workload, { cpuMillis: Math.max(s.cpuMillis, p.cpuMillis), memoryMib: Math.max(s.memoryMib, p.memoryMib) });
  }
  return statuses.flatMap((w) => {
    const s = size.get(w.name);
    return s ? [{ ...w, ...s }] : [];
  });
}

function selects(pdb: ViewPdb, pod: ViewPod): boolean {
  const entries = Object.entries(pdb.matchLabels);
  return entries.length > 0 && entries.every(([k, v]) => pod.labels[k] === v);
}
