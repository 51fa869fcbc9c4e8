import type { ClusterApi } from '@ballast/kube';
import type { CloudProvider } from '../cloud/cloud-provider.ts';
import type { Instance } from '../cloud/cloud-types.ts';
import type { MetadataStore } from '../state/metadata-store.ts';
import type { PoolRef } from '../state/repositories/switch-history-repository.ts';
import type { AgentCommander } from './agent-commander.ts';

/**
 * The Kubernetes API of one of a client's clusters (from its kubeconfig), or null when the
 * hub has no access to it. Switches read node readiness through it, and drain through its
 * eviction API when the node has no agent connected.
 */
export type ClusterAccess = (clientId: string, clusterId: string) => ClusterApi | null;

/** The best spot pool for an instance moving back to spot (the decision engine supplies it); null: stay. */
export type ChooseSpotPool = (instance: Instance) => Promise<PoolRef | null> | PoolRef | null;

export type SwitchCloud = Pick<CloudProvider, 'launch' | 'terminate' | 'describeInstances'>;

export interface SwitchTimings {
  /** How long a replacement may take to become a Ready node before the switch rolls back. Default 10 min. */
  readyTimeoutMs: number;
  /** How long a drain may take (a notice's deadline wins when sooner); after it the old instance goes anyway. Default 10 min. */
  drainTimeoutMs: number;
  /** How often a waiting step looks again. Default 5 s. */
  pollMs: number;
}

export const DEFAULT_SWITCH_TIMINGS: SwitchTimings = { readyTimeoutMs: 600_000, drainTimeoutMs: 600_000, pollMs: 5_000 };

export interface SwitchDeps {
  store: MetadataStore;
  cloud: SwitchCloud;
  clusters: ClusterAccess;
  /** Null: no agent transport; drains go through the cluster's eviction API. */
  commander: AgentCommander | null;
  timings: SwitchTimings;
}

/** Tags a switch puts on the replacement, beside the CloudProvider's tenant, cluster and decision tags. */
export const SWITCH_TAGS = {
  job: 'ballast.io/job',
  replaces: 'ballast.io/replaces',
  forcedBy: 'ballast.io/forced-by',
} as const;
