import { badParams } from '../jobs/job-error.ts';

export const VOLUME_ID = /^vol-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
export const SNAPSHOT_ID = /^snap-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
/** One job deletes at most this many resources: a bigger cleanup is several jobs, each reviewable. */
export const MAX_CLEANUP_ITEMS = 500;

export interface CleanupParams {
  volumeIds: string[];
  snapshotIds: string[];
  snapshotBeforeDelete: boolean;
}

/** Checks a storage-cleanup job's parameters (as stored, or as the route built them). */
export function parseCleanupParams(raw: unknown): CleanupParams {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badParams('params', 'must be an object');
  const o = raw as Record<string, unknown>;
  const ids = (field: 'volumeIds' | 'snapshotIds', pattern: RegExp) => {
    const v = o[field] ?? [];
    if (!Array.isArray(v) || v.some((id) => typeof id !== 'string' || !pattern.test(id))) {
      throw badParams(field, `must be a list of ${field === 'volumeIds' ? 'vol-' : 'snap-'}… ids`);
    }
    return [...new Set(v as string[])];
  };
  const params = {
    volumeIds: ids('volumeIds', VOLUME_ID),
    snapshotIds: ids('snapshotIds', SNAPSHOT_ID),
    snapshotBeforeDelete: o.snapshotBeforeDelete === true,
  };
  const n = params.volumeIds.length + params.snapshotIds.length;
  if (n === 0) throw badParams('volumeIds', 'name at least one volume or snapshot');
  if (n > MAX_CLEANUP_ITEMS) throw badParams('volumeIds', `at most ${MAX_CLEANUP_ITEMS} volumes and snapshots per job`);
  return params;
}
