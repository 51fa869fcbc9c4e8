import { get, post } from './http.ts';
import type { Submitted } from './jobs-api.ts';

/** An instance of the account no cluster Ballast serves claims (GET /api/v1/governance/instances). */
export interface InstanceFinding {
  id: string;
  instanceType: string;
  zone?: string;
  launchedAt: string;
  /** untagged: no cluster tag; unknown-cluster: tagged with a cluster Ballast does not serve. */
  reason?: string;
  clusterTag?: string | null;
  hourlyCostUsd: number | null;
  monthlyCostUsd: number | null;
  tags?: Record<string, string>;
  [k: string]: unknown;
}

export interface GovernanceList {
  instances: InstanceFinding[];
  totals: { count: number; hourlyCostUsd: number; monthlyCostUsd: number; unpriced: number };
}

export const fetchUnregistered = (includeIgnored: boolean, signal?: AbortSignal) =>
  get<GovernanceList>('/api/v1/governance/instances', { query: { includeIgnored }, signal });

export type GovernanceAction = 'terminate' | 'tag-as-ignored';

export const applyGovernance = (instanceIds: string[], action: GovernanceAction, note: string) =>
  post<Submitted>('/api/v1/governance/instances/apply', { instanceIds, action, note, confirm: action === 'terminate' });
