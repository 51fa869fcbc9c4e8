// The agent's one seam to the ClusterApi port.
export {
  type ClusterApi,
  ClusterApiError,
  type ClusterPdb,
  type ClusterPod,
  isClusterApiError,
  type PdbStatus,
  selectorMatches,
  type Taint,
} from '@ballast/kube';
