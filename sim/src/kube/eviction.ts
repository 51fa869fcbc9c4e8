import { ApiError, badRequest, internalError } from './api-error.ts';
import type { KubeCluster } from './kube-cluster.ts';
import { isoTime, isPodReady } from './pod-util.ts';
import { R } from './resources.ts';
import { selectorMatches } from './selectors.ts';
import type { Pod, PodDisruptionBudget } from './types.ts';

export interface EvictionBody {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  deleteOptions?: { gracePeriodSeconds?: number; dryRun?: string[] };
}

/** The 429 Kubernetes answers when a budget forbids the eviction; kubectl drain retries it every 5 s. */
function budgetRefusal(causeMessage: string): ApiError {
  return new ApiError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
    causes: [{ reason: 'DisruptionBudget', message: causeMessage }],
  });
}

/**
 * POST pods/{name}/eviction, following the apiserver's eviction REST handler: a pod that
 * is Pending, finished or already terminating is deleted without consulting budgets; more
 * than one matching PDB is a 500; a budget not yet processed, or with no disruptions
 * left, is a 429 with a `DisruptionBudget` cause; otherwise the budget is decremented
 * (the pod recorded in `disruptedPods`) and the pod deleted with its own grace period
 * unless the Eviction's deleteOptions give one.
 */
export function evictPod(cluster: KubeCluster, namespace: string, name: string, body: EvictionBody, dryRun: boolean): void {
  const { store, stats } = cluster;
  if (body.metadata?.name && body.metadata.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  stats.recordEvictionRequest(namespace, name);
  const pod = store.get(R.pods, namespace, name) as Pod | undefined;
  if (!pod) throw new ApiError(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
  const grace = body.deleteOptions?.gracePeriodSeconds;
  const dry = dryRun || (body.deleteOptions?.dryRun?.length ?? 0) > 0;
  const phase = pod.status?.phase ?? 'Pending';
  const ignoreBudgets = phase === 'Pending' || phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp !== undefined;
  if (!ignoreBudgets) {
    const pdbs = (store.list(R.pdbs, namespace) as PodDisruptionBudget[]).filter((b) =>
      selectorMatches(b.spec.selector, pod.metadata.labels),
    );
    if (pdbs.length > 1)
      throw internalError('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    const pdb = pdbs[0];
    // An unready pod may go while the budget is otherwise met: it is not counted healthy.
    const unreadyButMet =
      pdb?.status !== undefined &&
      !isPodReady(pod) &&
      pdb.status.currentHealthy >= pdb.status.desiredHealthy &&
      pdb.status.desiredHealthy > 0;
    if (pdb && !unreadyButMet) {
      try {
        checkAndDecrement(cluster, pdb, name, dry);
      } catch (err) {
        if (err instanceof ApiError && err.code === 429) stats.evictionsRefused += 1;
        throw err;
      }
    }
  }
  if (dry) return;
  stats.evictions += 1;
  cluster.deletePod(namespace, name, grace);
}

function checkAndDecrement(cluster: KubeCluster, pdb: PodDisruptionBudget, podName: string, dryRun: boolean): void {
  const s = pdb.status;
  const pdbName = pdb.metadata.name as string;
  if (!s || (s.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) {
    throw budgetRefusal(`The disruption budget ${pdbName} is still being processed by the server.`);
  }
  if (s.disruptionsAllowed < 0) throw new ApiError(403, 'Forbidden', 'pdb disruptions allowed is negative');
  if (s.disruptionsAllowed === 0) {
    throw budgetRefusal(`The disruption budget ${pdbName} needs ${s.desiredHealthy} healthy pods and has ${s.currentHealthy} currently`);
  }
  if (dryRun) return;
  cluster.store.mutate<PodDisruptionBudget>(R.pdbs, pdb.metadata.namespace, pdbName, (d) => {
    if (!d.status) return;
    d.status.disruptionsAllowed -= 1;
    d.status.disruptedPods = { ...d.status.disruptedPods, [podName]: isoTime(cluster.clock.now()) };
  });
}
