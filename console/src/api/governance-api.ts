import { get, post } from './http.ts';
import type { Submitted } from './jobs-api.ts';

export interface InstanceFinding {
  instanceId: string;
  instanceType: string;
  availabilityZone?: string;
  launchedAt: string;
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
