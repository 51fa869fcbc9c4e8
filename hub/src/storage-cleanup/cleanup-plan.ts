import { JobError, type RefusedTarget } from '../jobs/job-error.ts';
import type { SnapshotFinding, StorageInventory, VolumeFinding } from './storage-inventory.ts';
import { round2, snapshotMonthlyCost } from './storage-prices.ts';

export interface CleanupSelection {
  /** Absent: every deletable volume. */
  volumeIds?: string[];
  /** Absent: every deletable snapshot. */
  snapshotIds?: string[];
  /** Snapshot each volume (and wait for it) before deleting it. */
  snapshotBeforeDelete: boolean;
}

export interface CleanupPlan {
  volumes: VolumeFinding[];
  snapshots: SnapshotFinding[];
  totalGib: number;
  /** What the deleted volumes and snapshots cost per month now. */
  monthlySavingUsd: number;
  /** What the backup snapshots (snapshotBeforeDelete) will cost per month, at most. */
  backupMonthlyCostUsd: number;
  netMonthlySavingUsd: number;
}

/**
 * Exactly what a cleanup would delete and what it saves. Named resources are checked one
 * by one: an attached volume or a snapshot an image uses is refused (JobError `refused`,
 * naming each, field volumeIds or snapshotIds), and so are ids that do not exist
 * (`not-found`). Nothing is partially accepted: the whole request stands or falls.
 */
export async function planCleanup(inventory: StorageInventory, s: CleanupSelection): Promise<CleanupPlan> {
  const [volumes, snapshots] = await Promise.all([
    s.volumeIds?.length === 0 ? [] : inventory.volumes(s.volumeIds),
    s.snapshotIds?.length === 0 ? [] : inventory.snapshots(s.snapshotIds),
  ]);
  const chosenVolumes = s.volumeIds ? volumes : volumes.filter((v) => v.deletable);
  const chosenSnapshots = s.snapshotIds ? snapshots : snapshots.filter((x) => x.deletable);
  refuse([problems('volumeIds', s.volumeIds, volumes), problems('snapshotIds', s.snapshotIds, snapshots)]);
  const saving = [...chosenVolumes, ...chosenSnapshots].reduce((sum, x) => sum + x.monthlyCostUsd, 0);
  const backups = s.snapshotBeforeDelete ? chosenVolumes.reduce((sum, v) => sum + snapshotMonthlyCost(inventory.prices, v.sizeGib), 0) : 0;
  return {
    volumes: chosenVolumes,
    snapshots: chosenSnapshots,
    totalGib: [...chosenVolumes, ...chosenSnapshots].reduce((sum, x) => sum + x.sizeGib, 0),
    monthlySavingUsd: round2(saving),
    backupMonthlyCostUsd: round2(backups),
    netMonthlySavingUsd: round2(saving - backups),
  };
}

interface Problems {
  field: string;
  missing: RefusedTarget[];
  refused: RefusedTarget[];
}

function problems(field: string, named: string[] | undefined, found: Array<VolumeFinding | SnapshotFinding>): Problems {
  const byId = new Map(found.map((f) => [f.id, f]));
  const missing = (named ?? []).filter((id) => !byId.has(id)).map((id) => ({ id, reason: 'does not exist' }));
  const refused = (named ?? [])
    .flatMap((id) => byId.get(id) ?? [])
    .filter((f) => !f.deletable)
    .map((f) => ({ id: f.id, reason: f.protectedBy ?? 'protected' }));
  return { field, missing, refused };
}

/** One answer naming every offending id of both lists: unknown ones first (404), then protected ones (409). */
function refuse(all: Problems[]): void {
  const describe = (ts: RefusedTarget[]) => ts.map((t) => `${t.id} ${t.reason}`).join('; ');
  const missing = all.filter((p) => p.missing.length > 0);
  if (missing.length > 0) {
    const targets = missing.flatMap((p) => p.missing);
    throw new JobError('not-found', `nothing was deleted: ${describe(targets)}`, { field: missing[0]?.field, targets });
  }
  const refused = all.filter((p) => p.refused.length > 0);
  if (refused.length > 0) {
    const targets = refused.flatMap((p) => p.refused);
    throw new JobError('refused', `refused, nothing was deleted: ${describe(targets)}`, { field: refused[0]?.field, targets });
  }
}
