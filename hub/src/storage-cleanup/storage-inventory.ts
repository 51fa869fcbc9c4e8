import type { Clock } from '@ballast/common';
import type { CloudProvider } from '../cloud/cloud-provider.ts';
import type { Image, Snapshot, Volume } from '../cloud/cloud-types.ts';
import { type StoragePrices, snapshotMonthlyCost, volumeMonthlyCost } from './storage-prices.ts';

const DAY_MS = 86_400_000;

export type StorageCloud = Pick<CloudProvider, 'describeVolumes' | 'describeSnapshots' | 'describeImages'>;

export interface VolumeFinding {
  id: string;
  sizeGib: number;
  volumeType: string;
  zone: string;
  state: string;
  createdAt: number;
  ageDays: number;
  /** Instances it is attached to (any attachment not yet detached). */
  attachedTo: string[];
  monthlyCostUsd: number;
  tags: Record<string, string>;
  /** Whether cleanup may delete it; when not, `protectedBy` says why. */
  deletable: boolean;
  protectedBy: string | null;
}

export interface SnapshotFinding {
  id: string;
  sizeGib: number;
  volumeId: string | null;
  state: string;
  startedAt: number;
  ageDays: number;
  description: string;
  /** The account's images (AMIs) whose block devices use it. */
  usedByImages: string[];
  monthlyCostUsd: number;
  tags: Record<string, string>;
  deletable: boolean;
  protectedBy: string | null;
}

/** Whether a volume is attached: any attachment not fully detached counts, as EC2 would refuse the delete. */
export function attachmentsOf(v: Volume): string[] {
  return v.attachments.filter((a) => a.state !== 'detached').map((a) => a.instanceId);
}

/** The images using a snapshot. */
export function imagesUsing(images: readonly Image[], snapshotId: string): string[] {
  return images.filter((img) => img.blockDevices.some((b) => b.snapshotId === snapshotId)).map((img) => img.id);
}

/**
 * The account's EBS volumes and snapshots as cleanup sees them: age, size, monthly cost,
 * and whether each may be deleted. A volume may be deleted only when unattached and
 * available; a snapshot only when complete and no image (AMI) of the account uses it.
 */
export class StorageInventory {
  constructor(private readonly d: { cloud: StorageCloud; prices: StoragePrices; clock: Clock }) {}

  get prices(): StoragePrices {
    return this.d.prices;
  }

  async volumes(ids?: string[]): Promise<VolumeFinding[]> {
    const volumes = await this.d.cloud.describeVolumes(ids ? { ids } : {});
    return volumes.map((v) => this.volumeFinding(v)).sort(byId);
  }

  async snapshots(ids?: string[]): Promise<SnapshotFinding[]> {
    const [snapshots, images] = await Promise.all([this.d.cloud.describeSnapshots(ids ? { ids } : {}), this.d.cloud.describeImages()]);
    return snapshots.map((s) => this.snapshotFinding(s, images)).sort(byId);
  }

  volumeFinding(v: Volume): VolumeFinding {
    const attachedTo = attachmentsOf(v);
    const protectedBy =
      attachedTo.length > 0 ? `attached to ${attachedTo.join(', ')}` : v.state !== 'available' ? `is ${v.state}, not available` : null;
    return {
      id: v.id,
      sizeGib: v.sizeGib,
      volumeType: v.volumeType,
      zone: v.zone,
      state: v.state,
      createdAt: v.createTimeMs,
      ageDays: this.ageDays(v.createTimeMs),
      attachedTo,
      monthlyCostUsd: volumeMonthlyCost(this.d.prices, v.volumeType, v.sizeGib),
      tags: v.tags,
      deletable: protectedBy === null,
      protectedBy,
    };
  }

  snapshotFinding(s: Snapshot, images: readonly Image[]): SnapshotFinding {
    const usedByImages = imagesUsing(images, s.id);
    const protectedBy =
      usedByImages.length > 0
        ? `used by image ${usedByImages.join(', ')}`
        : s.state !== 'completed'
          ? `is ${s.state}, not completed`
          : null;
    return {
      id: s.id,
      sizeGib: s.sizeGib,
      volumeId: s.volumeId,
      state: s.state,
      startedAt: s.startTimeMs,
      ageDays: this.ageDays(s.startTimeMs),
      description: s.description,
      usedByImages,
      monthlyCostUsd: snapshotMonthlyCost(this.d.prices, s.sizeGib),
      tags: s.tags,
      deletable: protectedBy === null,
      protectedBy,
    };
  }

  private ageDays(sinceMs: number): number {
    return Math.max(0, Math.floor((this.d.clock.now() - sinceMs) / DAY_MS));
  }
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
