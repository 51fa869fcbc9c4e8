export { ClientNodeClusterApi, type ClientNodeClusterApiOptions } from './client-node-cluster-api.ts';
export type { ClusterApi } from './cluster-api.ts';
export { ClusterApiError, type ClusterApiErrorKind, isClusterApiError } from './cluster-api-error.ts';
export type * from './cluster-types.ts';
export { type KubeConfigSource, loadKubeConfig } from './kube-config.ts';
export { selectorMatches } from './label-selector.ts';
export { podRequests } from './pod-requests.ts';
export { parseQuantity } from './quantity.ts';
