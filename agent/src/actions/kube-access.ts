import { ClientNodeClusterApi, type ClusterApi, type KubeConfigSource } from '@ballast/kube';
import { DrainExecutor, type DrainExecutorOptions } from '../executors/drain-executor.ts';

export interface KubeAccess {
  cluster: ClusterApi;
  executor: DrainExecutor;
}

/**
 * Everything of the acting side that needs `@kubernetes/client-node` at run time, in one
 * module: build-actions.ts imports it dynamically, so the bundle holds it (and the client) in
 * a chunk that is read at the first cordon or drain, not at start.
 */
export function connectKube(source: KubeConfigSource, options: Omit<DrainExecutorOptions, 'cluster'>): KubeAccess {
  const cluster = new ClientNodeClusterApi({ kubeConfig: source, clock: options.clock });
  return { cluster, executor: new DrainExecutor({ ...options, cluster }) };
}
