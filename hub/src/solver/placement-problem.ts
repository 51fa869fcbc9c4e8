/**
 * The placement problem the solver takes: the pools nodes can be bought from, the pods to
 * place (aggregated by shape), and the policies and overrides that limit the plan. Plain
 * data only (it crosses a worker_threads boundary by structured clone).
 */

/** EC2's architecture names, as DescribeInstanceTypes gives them (Kubernetes says amd64). */
export type Arch = 'x86_64' | 'arm64';
export const ARCHES: readonly Arch[] = ['x86_64', 'arm64'];

export type CapacityType = 'spot' | 'on-demand';

/** One pool: (instance type, AZ, capacity type), with the node size and what a node costs. */
export interface Pool {
  /** Unique; `poolId()` gives the conventional `type|zone|capacity` form. */
  id: string;
  instanceType: string;
  /** Defaults to the instance type's prefix before the first dot (m5 for m5.large). */
  family?: string;
  zone: string;
  capacityType: CapacityType;
  vcpu: number;
  memoryMib: number;
  arch: Arch;
  /** What a node costs, USD per hour. */
  pricePerHour: number;
  /**
   * The objective coefficient: price + expected cost of interruptions per hour
   * (interruption rate × cost of one interruption). Equal to the price for on-demand.
   */
  expectedCostPerHour: number;
  /** This pool may hold at most this fraction (0–1] of all nodes; the tighter of this and maxPoolShare applies. */
  maxShare?: number;
  /** At most this many nodes can be had from the pool (e.g. after capacity failures). */
  maxNodes?: number;
}

/** Identical pods (same requests and scheduling restrictions), counted. */
export interface PodShape {
  /** Unique; names the shape in plans and errors. */
  id: string;
  count: number;
  cpuMillis: number;
  memoryMib: number;
  /** Architectures the pods run on (node selector / affinity); absent means any. */
  arches?: Arch[];
  /** Allowed instance families (node selector / affinity); absent means any. */
  instanceFamilies?: string[];
  /** Allowed instance types; absent means any. */
  instanceTypes?: string[];
  /** Allowed zones (topology.kubernetes.io/zone); absent means any. */
  zones?: string[];
  /** Whether the pods may run on spot nodes (they tolerate spot and do not pin on-demand). */
  spotAllowed: boolean;
  /** Whether they may run on on-demand nodes; false when they select spot capacity only. Default true. */
  onDemandAllowed?: boolean;
}

/** Excludes spot pools: for the given shapes (all when absent), the given types and zones (all when absent). */
export interface ForceOnDemandOverride {
  shapeIds?: string[];
  instanceTypes?: string[];
  zones?: string[];
  /** Why, for the decision record (e.g. "m5 spot risk above threshold"). */
  reason?: string;
}

export interface PlacementConstraints {
  /** Only pools of these architectures may be used; absent means any. */
  allowedArches?: Arch[];
  /** Only pools of these instance families may be used; absent means any. */
  allowedFamilies?: string[];
  /** Only pools of these instance types may be used; absent means any. */
  allowedInstanceTypes?: string[];
  /** Diversification: no pool holds more than this fraction (0–1] of all nodes. */
  maxPoolShare?: number;
  /** On-demand floor: at least this fraction [0–1] of all nodes is on-demand. */
  minOnDemandShare?: number;
  /** At most this fraction [0–1] of all nodes is spot (the same as an on-demand floor of 1 − it). */
  maxSpotShare?: number;
  /** At least this many on-demand nodes. */
  minOnDemandNodes?: number;
  forceOnDemand?: ForceOnDemandOverride[];
  azSpread?: {
    /** Nodes in at least this many zones. */
    minZones?: number;
    /** No zone holds more than this fraction (0–1] of all nodes. */
    maxZoneShare?: number;
  };
  /**
   * Disruption budget against the current fleet: a node that the plan removes from a pool
   * (current count − planned count, when positive) is one replacement; adding nodes
   * disrupts nothing. At most `maxReplacements` may happen in this plan.
   */
  disruption?: {
    /** Current nodes per pool id; every id must be one of the problem's pools. */
    currentNodes: Record<string, number>;
    maxReplacements: number;
  };
  /** Reserved on every node (kubelet, system daemons, DaemonSet pods); not available to pods. */
  nodeOverhead?: { cpuMillis: number; memoryMib: number };
}

export interface PlacementProblem {
  pools: Pool[];
  shapes: PodShape[];
  constraints?: PlacementConstraints;
}

export function poolId(instanceType: string, zone: string, capacityType: CapacityType): string {
  return `${instanceType}|${zone}|${capacityType}`;
}

export function familyOf(pool: Pick<Pool, 'instanceType' | 'family'>): string {
  return pool.family ?? pool.instanceType.split('.')[0] ?? pool.instanceType;
}
