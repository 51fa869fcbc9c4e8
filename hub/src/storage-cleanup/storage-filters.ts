/** The listing filters of /api/v1/storage/volumes and /snapshots. */
export interface StorageFilter {
  /** Volumes: unattached (default) | attached | all. Snapshots: unreferenced (default) | referenced | all. */
  status: 'unattached' | 'attached' | 'unreferenced' | 'referenced' | 'all';
  minAgeDays?: number;
  minSizeGib?: number;
  maxSizeGib?: number;
  /** `key=value` (that value) or `key` (any value); every one must match. */
  tags?: string[];
}

interface Filterable {
  sizeGib: number;
  ageDays: number;
  deletable: boolean;
  tags: Record<string, string>;
}

export function matchesStorageFilter(x: Filterable, f: StorageFilter): boolean {
  if (f.status === 'unattached' || f.status === 'unreferenced') {
    if (!x.deletable) return false;
  } else if (f.status !== 'all' && x.deletable) return false;
  if (f.minAgeDays !== undefined && x.ageDays < f.minAgeDays) return false;
  if (f.minSizeGib !== undefined && x.sizeGib < f.minSizeGib) return false;
  if (f.maxSizeGib !== undefined && x.sizeGib > f.maxSizeGib) return false;
  return (f.tags ?? []).every((t) => {
    const eq = t.indexOf('=');
    return eq < 0 ? t in x.tags : x.tags[t.slice(0, eq)] === t.slice(eq + 1);
  });
}

export function totals(items: Array<{ sizeGib: number; monthlyCostUsd: number }>) {
  return {
    count: items.length,
    sizeGib: items.reduce((s, x) => s + x.sizeGib, 0),
    monthlyCostUsd: Math.round(items.reduce((s, x) => s + x.monthlyCostUsd, 0) * 100) / 100,
  };
}
