import type { IntOrPercent, PdbSpec, WorkloadStatus } from './engine-input.ts';

/**
 * A PodDisruptionBudget's numbers, computed the way the disruption controller does:
 * percentages are scaled against the expected pod count and rounded up (for both
 * maxUnavailable and minAvailable); desiredHealthy = expected − maxUnavailable, or
 * minAvailable; disruptionsAllowed = max(0, currentHealthy − desiredHealthy).
 */

/** Pods that may be unavailable at once with `expected` pods; Infinity without a budget. */
export function maxUnavailableAt(pdb: PdbSpec | null, expected: number): number {
  if (pdb === null) return Number.POSITIVE_INFINITY;
  if (pdb.maxUnavailable !== undefined) return Math.max(0, scaled(pdb.maxUnavailable, expected));
  if (pdb.minAvailable !== undefined) return Math.max(0, expected - scaled(pdb.minAvailable, expected));
  return Number.POSITIVE_INFINITY;
}

/** Evictions the budget allows now. */
export function disruptionsAllowed(w: WorkloadStatus): number {
  const maxUnavailable = maxUnavailableAt(w.pdb, w.desired);
  if (maxUnavailable === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  const desiredHealthy = w.desired - maxUnavailable;
  return Math.max(0, w.healthy - desiredHealthy);
}

/**
 * The most pods of the workload a spot node should hold so that, if it is reclaimed without
 * warning, all of them can be evicted before it goes, even at the workload's smallest scale.
 * The budget lets `maxUnavailable` go at once; their replacements start in the spare slots the
 * fleet keeps (headroomShare of the pods), and as they become Ready the budget frees up for as
 * many more: a node may hold budget + spare slots. At least 1, so a node can always hold a pod.
 */
export function safePodsPerNode(w: WorkloadStatus, headroomShare = 0): number {
  const min = w.minReplicas ?? w.desired;
  const limit = maxUnavailableAt(w.pdb, min);
  if (limit === Number.POSITIVE_INFINITY) return limit;
  return Math.max(1, limit + Math.floor(headroomShare * min + 1e-9));
}

function scaled(v: IntOrPercent, expected: number): number {
  if (typeof v === 'number') return v;
  const pct = Number(v.slice(0, -1));
  return Math.ceil((pct * expected) / 100 - 1e-9);
}
