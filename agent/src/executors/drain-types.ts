import type { PdbStatus, Taint } from './cluster-port.ts';

export interface DrainPolicy {
  /** Evict pods with emptyDir volumes (their data is lost); otherwise they are refused and reported. */
  deleteEmptyDirData: boolean;
  /** DaemonSet pods are never evicted: their controller ignores cordons and would put them straight back. */
  ignoreDaemonSets: true;
  /** Evicted pods get grace periods that end this long before the deadline. */
  safetyMarginMs: number;
  /** Upper bound on any pod's grace period, whatever the pod asks for. */
  maxGraceSeconds?: number;
  /** Wait after cordoning before the first eviction, e.g. for load balancers to deregister the node. */
  preDrainHookMs: number;
  /** Delete pods still blocked by a budget when the deadline comes; otherwise leave them and report them. */
  forceAtDeadline: boolean;
  /** Jittered exponential backoff between eviction attempts refused by a budget or throttled. */
  evictionRetryMinMs: number;
  evictionRetryMaxMs: number;
  /** Eviction requests in flight at once; undefined sends every pod's at once. */
  concurrency?: number;
  /** How often to check whether evicted pods are gone. */
  goneCheckIntervalMs: number;
}

export const DEFAULT_DRAIN_POLICY: DrainPolicy = {
  deleteEmptyDirData: false,
  ignoreDaemonSets: true,
  safetyMarginMs: 10_000,
  preDrainHookMs: 0,
  forceAtDeadline: false,
  evictionRetryMinMs: 250,
  evictionRetryMaxMs: 5_000,
  goneCheckIntervalMs: 1_000,
};

export interface DrainRequest {
  /** When the node must be empty, in ms on the executor's Clock (absolute, e.g. the spot action time minus slack). */
  deadlineMs: number;
  /** Why (e.g. `spot interruption notice`); goes into Kubernetes Events and progress. */
  reason: string;
  policy?: Partial<DrainPolicy>;
  /** Plan and report every step, including server-side dry-run evictions, without changing anything. */
  dryRun?: boolean;
  /** A taint to add along with the cordon, e.g. `ballast.io/interrupted=true:NoSchedule`. */
  taint?: Taint;
}

export interface PodRef {
  namespace: string;
  name: string;
  uid: string;
  /** `Kind/name` of the controller, absent for a bare pod. */
  owner?: string;
  /** False for a bare pod: nothing will recreate it elsewhere. */
  recreated: boolean;
}

export interface PdbRef {
  namespace: string;
  name: string;
  status?: PdbStatus;
}

export type SkipReason = 'daemonset' | 'mirror' | 'completed' | 'emptydir-refused';

interface Base {
  node: string;
  atMs: number;
  dryRun: boolean;
}

export type DrainProgressEvent = Base &
  (
    | { kind: 'cordoned'; taint?: Taint }
    | { kind: 'pod-evicting'; pod: PodRef; graceSeconds: number }
    | { kind: 'pod-evicted'; pod: PodRef; graceSeconds: number; attempts: number }
    | { kind: 'pod-blocked'; pod: PodRef; pdb?: PdbRef; message: string; timeLeftMs: number; willForce: boolean }
    | { kind: 'pod-gone'; pod: PodRef }
    | { kind: 'pod-forced'; pod: PodRef; pdb?: PdbRef }
    | { kind: 'pod-skipped'; pod: PodRef; reason: SkipReason }
    | { kind: 'pod-failed'; pod: PodRef; message: string }
    | { kind: 'done'; summary: DrainSummary }
  );

export type DrainProgressKind = DrainProgressEvent['kind'];

/** A progress event without what the run stamps on every one. */
export type Emitted = DrainProgressEvent extends infer E
  ? E extends DrainProgressEvent
    ? Omit<E, 'node' | 'atMs' | 'dryRun'>
    : never
  : never;

export type Emit = (partial: Emitted) => void;

export interface DrainSummary {
  /** Evictions accepted (in a dry run: that the server would accept now). */
  evicted: number;
  /** Still refused by a budget at the deadline (in a dry run: refused now). */
  blocked: number;
  skipped: number;
  /** emptyDir pods left alone because the policy does not allow losing their data (also in `skipped`). */
  refused: number;
  forced: number;
  /** Evictions the server rejected for a reason retrying cannot fix (RBAC, several budgets on a pod). */
  failed: number;
  /** Evicted but still present at the deadline. */
  notGone: number;
  /** Evicted bare pods: gone for good, nothing recreates them. */
  notRecreated: number;
  durationMs: number;
  /** Every pod that had to leave left, gracefully, by the deadline (nothing blocked, refused, failed, forced or left behind). */
  metDeadline: boolean;
  /** From the start until every evictable pod's first eviction had been answered. */
  evictionsIssuedMs: number | null;
  /** From the start until the last eviction was accepted. */
  evictionsAcceptedMs: number | null;
}

export type PodOutcome = 'evicted' | 'gone' | 'blocked' | 'forced' | 'skipped' | 'failed' | 'not-gone';

export interface PodReport {
  pod: PodRef;
  outcome: PodOutcome;
  graceSeconds?: number;
  skipReason?: SkipReason;
  pdb?: PdbRef;
  message?: string;
}

export interface DrainResult {
  node: string;
  reason: string;
  dryRun: boolean;
  deadlineMs: number;
  summary: DrainSummary;
  pods: PodReport[];
  /** The pods a budget still protected at the deadline, with the budget. */
  blocked: PodReport[];
}

/** What acts on a drain order: the {@link DrainExecutor}, or the agent's stand-in that loads it at the first drain. */
export interface Drainer {
  drain(node: string, request: DrainRequest): Promise<DrainResult>;
}

export type DrainErrorCode = 'node-not-found' | 'cluster-unavailable' | 'cluster-error';

/** A drain that could not start or proceed at all (a pod that cannot be moved is reported, not thrown). */
export class DrainError extends Error {
  constructor(
    readonly code: DrainErrorCode,
    readonly node: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DrainError';
  }
}
