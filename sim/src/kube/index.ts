// Names are prefixed where they would be ambiguous in the sim package's combined exports.
export { ApiError as KubeApiError } from './api-error.ts';
export { defaultShape as defaultKubeNodeShape, type NodeShape as KubeNodeShape } from './controllers/node-sync.ts';
export { type KubeApiServer, type KubeApiServerOptions, startKubeApiServer } from './kube-api-server.ts';
export { KubeCluster, type KubeClusterOptions } from './kube-cluster.ts';
export { KubeStats, type LostPod } from './kube-stats.ts';
export { kubeconfigYaml } from './kubeconfig.ts';
export { ObjectStore as KubeObjectStore, type StoreEvent as KubeStoreEvent, type WatchEventType } from './object-store.ts';
export { R as kubeResources, RESOURCES as KUBE_RESOURCE_DEFS, type ResourceDef as KubeResourceDef } from './resources.ts';
export { type DeploymentSeed, seedWorkloads, settle as settleKube, type WorkloadSeed } from './seed-workloads.ts';
export type * as KubeTypes from './types.ts';
export type { KubeObject } from './types.ts';
