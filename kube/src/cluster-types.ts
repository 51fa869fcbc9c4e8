/**
 * The slice of the Kubernetes object model Ballast acts on, as plain data. The port speaks
 * these rather than client-node's generated classes so callers (agent executors, hub) do not
 * depend on one client library's model, and fakes stay trivial to write.
 */

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

export interface ClusterNode {
  name: string;
  uid: string;
  resourceVersion: string;
  labels: Record<string, string>;
  unschedulable: boolean;
  taints: Taint[];
  /** The Ready condition is True. */
  ready: boolean;
  /** `aws:///<az>/<instance-id>` on EKS. */
  providerId?: string;
  /** When the Node object was created (the node joined), epoch ms. */
  createdAtMs?: number;
}

export interface OwnerRef {
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface ClusterPod {
  namespace: string;
  name: string;
  uid: string;
  resourceVersion: string;
  nodeName?: string;
  phase: PodPhase;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  owners: OwnerRef[];
  /** The owner reference with `controller: true`, if any. */
  controller?: OwnerRef;
  /** The pod's own value, or Kubernetes' default of 30 s when unset. */
  terminationGracePeriodSeconds: number;
  /** RFC 3339; set once the pod is terminating. */
  deletionTimestamp?: string;
  /** Names of the pod's emptyDir volumes (data that dies with the node). */
  emptyDirVolumes: string[];
  /** The Ready condition is True. */
  ready: boolean;
  /** What the scheduler reserves for it (see podRequests); absent when no container states requests or limits. */
  requests?: PodRequests;
}

/** A pod's effective resource requests. */
export interface PodRequests {
  cpuMillis: number;
  memoryMib: number;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface PdbStatus {
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
  expectedPods: number;
  observedGeneration?: number;
}

export interface ClusterPdb {
  namespace: string;
  name: string;
  selector?: LabelSelector;
  minAvailable?: number | string;
  maxUnavailable?: number | string;
  /** Absent until the disruption controller has processed the budget. */
  status?: PdbStatus;
}

export interface EvictOptions {
  /** Overrides the pod's own terminationGracePeriodSeconds. */
  gracePeriodSeconds?: number;
  /** Server-side dry run: the budgets are checked, nothing is persisted. */
  dryRun?: boolean;
}

export type EvictionOutcome = 'evicted' | 'blocked-by-pdb' | 'not-found' | 'too-many-requests';

export interface EvictionResult {
  outcome: EvictionOutcome;
  /** The budget that refused the eviction, when the server named it. */
  pdbName?: string;
  /** The server's message (the DisruptionBudget cause's, when there is one). */
  message: string;
  /** From the Status details or the Retry-After header, when the server sent one. */
  retryAfterSeconds?: number;
}

export interface DeletePodOptions {
  /** Sent as a precondition, so a pod recreated under the same name (StatefulSet) is not the one deleted. */
  uid?: string;
}

export type EventType = 'Normal' | 'Warning';

/** The object a core/v1 Event is about. Node events go to the `default` namespace, as the kubelet's do. */
export interface ObjectRef {
  kind: 'Node' | 'Pod';
  name: string;
  namespace?: string;
  uid?: string;
}

export interface NewEvent {
  reason: string;
  message: string;
  type: EventType;
}

export type PodWatchEvent = { type: 'added' | 'modified' | 'deleted'; pod: ClusterPod };

export interface PodWatchOptions {
  /** Told about list/watch failures the watch recovers from by itself (it never stops on its own). */
  onError?: (err: Error) => void;
}

export interface PodWatch {
  /** Resolves after the first list has been delivered as `added` events. */
  readonly synced: Promise<void>;
  /** Ends the watch; no event is delivered after it resolves. Safe to call twice. */
  stop(): Promise<void>;
}
