import { get, post } from './http.ts';
import type { Submitted } from './jobs-api.ts';

export interface StorageFilters {
  minAgeDays?: number;
  minSizeGib?: number;
  maxSizeGib?: number;
  /** "key" or "key=value" */
  tags: string[];
}

export interface VolumeFinding {
  volumeId: string;
  sizeGib: number;
  createdAt: string;
  monthlyCostUsd: number | null;
  tags?: Record<string, string>;
  [k: string]: unknown;
}

export interface SnapshotFinding {
  snapshotId: string;
  sizeGib: number;
  startedAt: string;
  monthlyCostUsd: number | null;
  [k: string]: unknown;
}

export interface Totals {
  count: number;
  sizeGib?: number;
  monthlyCostUsd: number;
  [k: string]: unknown;
}

const filterQuery = (f: StorageFilters) => ({
  minAgeDays: f.minAgeDays,
  minSizeGib: f.minSizeGib,
  maxSizeGib: f.maxSizeGib,
  tag: f.tags.length > 0 ? f.tags : undefined,
});

export const fetchVolumes = (f: StorageFilters, signal?: AbortSignal) =>
  get<{ volumes: VolumeFinding[]; totals: Totals }>('/api/v1/storage/volumes', { query: filterQuery(f), signal });

export const fetchSnapshots = (f: StorageFilters, signal?: AbortSignal) =>
  get<{ snapshots: SnapshotFinding[]; totals: Totals }>('/api/v1/storage/snapshots', { query: filterQuery(f), signal });

export interface Selection {
  volumeIds: string[];
  snapshotIds: string[];
  snapshotBeforeDelete: boolean;
}

export interface CleanupPlan {
  volumes: VolumeFinding[];
  snapshots: SnapshotFinding[];
  monthlySavingsUsd?: number;
  blocked?: Array<{ id: string; reason: string }>;
  [k: string]: unknown;
}

export const dryRun = (s: Selection) => post<CleanupPlan>('/api/v1/storage/dry-run', s);

export const runCleanup = (s: Selection, note: string) =>
  post<Submitted & { plan: CleanupPlan }>('/api/v1/storage/cleanup', { ...s, confirm: true, note });
