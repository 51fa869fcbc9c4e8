import { get, post } from './http.ts';
import type { Submitted } from './jobs-api.ts';

export interface StorageFilters {
  minAgeDays?: number;
  minSizeGib?: number;
  maxSizeGib?: number;
  /** "key" or "key=value" */
  tags: string[];
}

/** The hub's answer for one unattached volume (GET /api/v1/storage/volumes, the dry run). */
export interface VolumeFinding {
  id: string;
  sizeGib: number;
  createdAt: string;
  monthlyCostUsd: number | null;
  tags?: Record<string, string>;
  /** False when cleanup may not delete it (e.g. attached); `protectedBy` says why. */
  deletable?: boolean;
  protectedBy?: string | null;
  [k: string]: unknown;
}

export interface SnapshotFinding {
  id: string;
  sizeGib: number;
  startedAt: string;
  monthlyCostUsd: number | null;
  deletable?: boolean;
  protectedBy?: string | null;
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
  /** What the deleted volumes and snapshots cost per month now. */
  monthlySavingUsd?: number;
  /** The same, less what backup snapshots (snapshot before delete) will cost. */
  netMonthlySavingUsd?: number;
  blocked?: Array<{ id: string; reason: string }>;
  [k: string]: unknown;
}

/** What a cleanup could delete: the findings the hub marks deletable (absent means yes). */
export const deletableIds = (items: ReadonlyArray<{ id: string; deletable?: boolean }>) =>
  items.filter((x) => x.deletable !== false).map((x) => x.id);

export const dryRun = (s: Selection) => post<CleanupPlan>('/api/v1/storage/dry-run', s);

export const runCleanup = (s: Selection, note: string) =>
  post<Submitted & { plan: CleanupPlan }>('/api/v1/storage/cleanup', { ...s, confirm: true, note });
