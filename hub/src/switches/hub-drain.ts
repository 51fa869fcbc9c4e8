import type { ClusterApi, ClusterPod } from '@ballast/kube';

export interface DrainPass {
  /** Pods still to go (bound, not finished, not DaemonSet-owned), terminating ones included. */
  remaining: number;
  evicted: number;
  blocked: number;
  /** Budgets that refused an eviction this pass. */
  blockedBy: string[];
}

/** DaemonSet pods stay (their controller would put them back), as do mirror pods and finished ones. */
export function mustGo(p: ClusterPod): boolean {
  if (p.controller?.kind === 'DaemonSet') return false;
  if (p.annotations['kubernetes.io/config.mirror'] !== undefined) return false;
  return p.phase !== 'Succeeded' && p.phase !== 'Failed';
}

/**
 * One pass of a drain from the hub, for a node with no agent connected: cordon, then ask
 * the eviction API (which honours PodDisruptionBudgets) for each pod that must go and is
 * not terminating yet. A budget's refusal is not an error: the pod is tried again on the
 * next pass, after the replacement pods elsewhere became Ready. Idempotent; the caller
 * repeats passes until nothing remains or its deadline passes.
 */
export async function drainPass(api: ClusterApi, node: string): Promise<DrainPass> {
  await api.cordon(node);
  const pods = (await api.listPodsOnNode(node)).filter(mustGo);
  let evicted = 0;
  let blocked = 0;
  const blockedBy = new Set<string>();
  for (const p of pods) {
    if (p.deletionTimestamp) continue;
    const r = await api.evictPod(p.namespace, p.name);
    if (r.outcome === 'evicted' || r.outcome === 'not-found') evicted += 1;
    else {
      blocked += 1;
      if (r.pdbName) blockedBy.add(r.pdbName);
    }
  }
  const left = (await api.listPodsOnNode(node)).filter(mustGo).length;
  return { remaining: left, evicted, blocked, blockedBy: [...blockedBy] };
}
