import type {
  ClusterNode,
  ClusterPdb,
  ClusterPod,
  DeletePodOptions,
  EvictionResult,
  EvictOptions,
  NewEvent,
  ObjectRef,
  PodWatch,
  PodWatchEvent,
  PodWatchOptions,
  Taint,
} from './cluster-types.ts';

/**
 * Ballast's one port to a Kubernetes cluster: what the agent's executors and the hub read
 * and change. Every method either resolves or rejects with a `ClusterApiError` whose `kind`
 * says what to do next (see cluster-api-error.ts) and whose `cause` is the client's error;
 * `evictPod` alone turns the answers a drain branches on into outcomes instead.
 * Implementations time out each request; none retries except where a method says so.
 */
export interface ClusterApi {
  /** The node, or `not-found`. */
  getNode(name: string): Promise<ClusterNode>;

  /** Every node, or those matching a label selector in Kubernetes' syntax (`a=b,c in (d)`). */
  listNodes(labelSelector?: string): Promise<ClusterNode[]>;

  /** Sets `spec.unschedulable`. Idempotent; `not-found` when the node is gone. */
  cordon(name: string): Promise<ClusterNode>;

  /** Clears `spec.unschedulable`. Idempotent; `not-found` when the node is gone. */
  uncordon(name: string): Promise<ClusterNode>;

  /**
   * Adds the taint, or updates the value of the one with the same key and effect. Idempotent
   * (no write when already present). Writes with the read resourceVersion as a precondition and
   * re-reads on `conflict` a few times, so a concurrent change to the taints is never lost;
   * rejects with `conflict` only if every attempt raced.
   */
  addTaint(name: string, taint: Taint): Promise<ClusterNode>;

  /** Removes every taint with this key (all effects). Idempotent; same concurrency as `addTaint`. */
  removeTaint(name: string, key: string): Promise<ClusterNode>;

  /** The pods bound to the node, in every namespace (terminating ones included). */
  listPodsOnNode(node: string): Promise<ClusterPod[]>;

  /**
   * POSTs an Eviction (policy/v1), which honours PodDisruptionBudgets. Resolves with:
   * - `evicted`: accepted; the pod is now terminating (or, for a dry run, would be).
   * - `blocked-by-pdb`: 429 with a `DisruptionBudget` cause; `pdbName` when the message names it.
   * - `too-many-requests`: 429 without that cause, i.e. plain rate limiting.
   * - `not-found`: the pod is already gone.
   * Rejects for anything else, e.g. `invalid` when the pod is matched by several budgets (500).
   */
  evictPod(namespace: string, name: string, options?: EvictOptions): Promise<EvictionResult>;

  /**
   * Deletes the pod without consulting budgets; `graceSeconds` 0 removes it at once. A pod
   * already gone rejects with `not-found`; a `uid` that no longer matches with `conflict`.
   */
  deletePod(namespace: string, name: string, graceSeconds: number, options?: DeletePodOptions): Promise<void>;

  /** Budgets with their status numbers, in one namespace or all. */
  listPdbs(namespace?: string): Promise<ClusterPdb[]>;

  /**
   * Records a core/v1 Event about the object, reported by this client's component (e.g.
   * `ballast-agent`), so `kubectl describe node` shows what Ballast did and why.
   */
  createEvent(about: ObjectRef, event: NewEvent): Promise<void>;

  /**
   * Lists the node's pods, delivers them as `added`, then follows a watch from that list's
   * resourceVersion. On 410 Expired it lists again and delivers the difference (`deleted` for
   * pods that vanished meanwhile); on other errors it backs off and resumes. Events for one
   * pod arrive in order. Never rejects; `stop()` ends it.
   */
  watchPodsOnNode(node: string, onEvent: (event: PodWatchEvent) => void, options?: PodWatchOptions): PodWatch;
}
