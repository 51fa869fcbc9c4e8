/**
 * What the decision engine is given each cycle: the fleet as the cluster and the cloud show
 * it, the pools with their scores, the solver's plan and the overrides. Only what a real fleet
 * can see; the caller gathers it (the hub from its stores, the replay from its model).
 */
import type { PoolScore } from '../scoring/index.ts';
import type { ForceOnDemandOverride, PlacementPlan } from '../solver/index.ts';
import type { PoolRef } from './decision-types.ts';

/** Identical pods of one workload on a node (or waiting), counted. */
export interface PodGroup {
  workload: string;
  count: number;
  cpuMillis: number;
  memoryMib: number;
}

export interface NodeSnapshot {
  id: string;
  pool: PoolRef;
  /** What the node costs now, USD/hour. */
  pricePerHour: number;
  onDemandPricePerHour: number;
  launchedAtMs: number;
  /** Joined the cluster and accepts pods. A launching node is in the snapshot with ready = false. */
  ready: boolean;
  /** Cordoned or draining for a reason outside this engine (an agent draining after a notice). */
  disrupting: boolean;
  interruptionNoticeAtMs: number | null;
  rebalanceAtMs: number | null;
  /** Start of a scheduled retirement or maintenance event, when one is announced. */
  scheduledEventAtMs: number | null;
  /** What pods may request on the node (capacity minus the node overhead). */
  allocatable: { cpuMillis: number; memoryMib: number };
  pods: PodGroup[];
}

/** An int or a percentage, as PodDisruptionBudget fields take them. */
export type IntOrPercent = number | `${number}%`;

export interface PdbSpec {
  maxUnavailable?: IntOrPercent;
  minAvailable?: IntOrPercent;
}

export interface WorkloadStatus {
  name: string;
  /** Pods the controller wants now (the PDB's expected count). */
  desired: number;
  /** Ready pods (the PDB's current healthy count). */
  healthy: number;
  pdb: PdbSpec | null;
  /** The autoscaler's floor; the node-size guard reads the PDB at this scale. Default: desired. */
  minReplicas?: number;
  /** Pods per node at most (hostname anti-affinity); absent means no limit. */
  maxPerNode?: number;
  /** The pods tolerate spot nodes. */
  spotAllowed: boolean;
  /**
   * The pods' controller. Job pods leave when done and are not replaced, so capacity for them
   * is bought to fit what waits; a Deployment's or StatefulSet's pending pods are part of a
   * workload that stays, so capacity is bought by cost per pod slot. Default: deployment.
   */
  controller?: 'deployment' | 'statefulset' | 'job';
  /**
   * The pods must not be moved voluntarily (karpenter.sh/do-not-disrupt, or Cluster
   * Autoscaler's safe-to-evict: false): a Job that would lose its work. Nodes running them are
   * left alone by replace, revert and consolidate until the pods finish.
   */
  doNotDisrupt?: boolean;
}

export interface PendingPods extends PodGroup {
  spotAllowed: boolean;
}

/** A pool the fleet may launch into, priced now; spot pools carry their score. */
export interface PoolState {
  pool: PoolRef;
  /** Default x86_64. */
  arch?: 'x86_64' | 'arm64';
  vcpu: number;
  memoryMib: number;
  pricePerHour: number;
  onDemandPricePerHour: number;
  /** From scorePools(); null for on-demand pools (they are not interrupted) or when unscored. */
  score: PoolScore | null;
}

export interface EngineInput {
  nowMs: number;
  /** Live nodes, launching ones included. */
  nodes: NodeSnapshot[];
  workloads: WorkloadStatus[];
  /** Pods the scheduler could not place. */
  pending: PendingPods[];
  pools: PoolState[];
  plan: { plan: PlacementPlan; solvedAtMs: number } | null;
  overrides?: ForceOnDemandOverride[];
  /** Reserved on every node; new nodes offer their capacity minus this. */
  nodeOverhead?: { cpuMillis: number; memoryMib: number };
}
