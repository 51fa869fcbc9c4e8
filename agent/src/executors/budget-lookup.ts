import type { Logger } from '@ballast/common';
import { type ClusterApi, type ClusterPod, selectorMatches } from './cluster-port.ts';
import type { PdbRef } from './drain-types.ts';

/**
 * The budget that refused a pod's eviction, with fresh status numbers for the operator: by
 * the name the API server gave, else the one whose selector matches the pod. Never throws;
 * without an answer it falls back to the bare name, if any.
 */
export async function findBlockingBudget(
  cluster: ClusterApi,
  log: Logger,
  pod: ClusterPod,
  pdbName: string | undefined,
): Promise<PdbRef | undefined> {
  const bare = pdbName ? { namespace: pod.namespace, name: pdbName } : undefined;
  try {
    const pdbs = await cluster.listPdbs(pod.namespace);
    const pdb = pdbName ? pdbs.find((b) => b.name === pdbName) : pdbs.find((b) => selectorMatches(b.selector, pod.labels));
    if (!pdb) return bare;
    return pdb.status ? { namespace: pdb.namespace, name: pdb.name, status: pdb.status } : { namespace: pdb.namespace, name: pdb.name };
  } catch (err) {
    log.warn('drain: reading the blocking budget failed', { namespace: pod.namespace, pod: pod.name, err });
    return bare;
  }
}
