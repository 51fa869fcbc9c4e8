import type { PdbSpec } from '../engine-input.ts';

/** A pod as the decision loop needs it: where it runs, what it requests, which workload it belongs to. */
export interface ViewPod {
  namespace: string;
  name: string;
  /** The controller's kind/name (`ReplicaSet/web-7d9`), or the pod's own name when it has none. */
  workload: string;
  controllerKind: string | null;
  labels: Record<string, string>;
  cpuMillis: number;
  memoryMib: number;
  ready: boolean;
  terminating: boolean;
  /** `karpenter.sh/do-not-disrupt: "true"` or `cluster-autoscaler.kubernetes.io/safe-to-evict: "false"`. */
  doNotDisrupt: boolean;
}

export interface ViewNode {
  name: string;
  /** From the provider id (`aws:///<az>/<id>`); null when the node has none. */
  instanceId: string | null;
  instanceType: string | null;
  zone: string | null;
  capacityType: 'spot' | 'on-demand' | null;
  ready: boolean;
  /** Cordoned (spec.unschedulable). */
  cordoned: boolean;
  /** When it joined (creation time), epoch ms; null when unknown. */
  createdAtMs: number | null;
  pods: ViewPod[];
}

export interface ViewPdb {
  namespace: string;
  name: string;
  matchLabels: Record<string, string>;
  spec: PdbSpec;
  desiredHealthy: number | null;
  currentHealthy: number | null;
  expectedPods: number | null;
}

export interface ClusterSnapshot {
  nodes: ViewNode[];
  /** Pods the scheduler has not bound to a node. */
  pending: ViewPod[];
  pdbs: ViewPdb[];
}

/**
 * What the decision loop reads of a cluster each run. Contract: `snapshot()` resolves with
 * one consistent-enough read (nodes, the pods bound to each, unbound pods, budgets) or
 * rejects with the cluster client's error as the cause; it never writes to the cluster.
 */
export interface ClusterView {
  snapshot(): Promise<ClusterSnapshot>;
}
