import type { JobKind } from '../jobs/job-kind.ts';
import type { NewStep } from '../state/repositories/job-types.ts';
import { type CleanupParams, parseCleanupParams } from './cleanup-params.ts';
import { type CleanupCloud, deleteSnapshotStep, deleteVolumeStep, snapshotVolumeStep } from './cleanup-steps.ts';
import type { StoragePrices } from './storage-prices.ts';

export const STORAGE_CLEANUP_KIND = 'storage-cleanup';

/**
 * Deletes unattached EBS volumes (each optionally snapshotted first) and snapshots no AMI
 * uses. One step per resource, so progress counts resources and a resumed job knows which
 * are done. Every step checks the world again right before it deletes.
 */
export function storageCleanupKind(d: { cloud: CleanupCloud; prices: StoragePrices }): JobKind<CleanupParams> {
  return {
    name: STORAGE_CLEANUP_KIND,
    parseParams: parseCleanupParams,
    plan: (p) => {
      const steps: NewStep[] = [];
      for (const id of p.volumeIds) {
        if (p.snapshotBeforeDelete) steps.push({ name: 'snapshot-volume', target: id });
        steps.push({ name: 'delete-volume', target: id });
      }
      for (const id of p.snapshotIds) steps.push({ name: 'delete-snapshot', target: id });
      return steps;
    },
    approvalAction: () => 'storage.delete',
    summary: (p) =>
      `delete ${p.volumeIds.length} volume(s)${p.snapshotBeforeDelete ? ' (each snapshotted first)' : ''} and ${p.snapshotIds.length} snapshot(s)`,
    runStep: (_p, ctx) => {
      switch (ctx.step.name) {
        case 'snapshot-volume':
          return snapshotVolumeStep(d, ctx);
        case 'delete-volume':
          return deleteVolumeStep(d, ctx);
        case 'delete-snapshot':
          return deleteSnapshotStep(d, ctx);
        default:
          throw new Error(`storage-cleanup has no step ${ctx.step.name}`);
      }
    },
  };
}
