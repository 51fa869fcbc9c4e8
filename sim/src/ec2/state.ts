import type { Clock } from '@ballast/common';
import type { Fleet, SimInstance } from '../core/fleet.ts';
import type { Rng } from '../core/rng.ts';

/** The simulated AWS account that owns every resource here. */
export const ACCOUNT_ID = '123456789012';
export const VPC_ID = 'vpc-0b5a11a5700000001';
export const REGION = 'us-east-1';

export interface VolumeAttachment {
  instanceId: string;
  device: string;
  attachTimeMs: number;
  deleteOnTermination: boolean;
}

export interface Volume {
  id: string;
  sizeGib: number;
  snapshotId: string | null;
  availabilityZone: string;
  state: 'creating' | 'available' | 'in-use';
  createTimeMs: number;
  volumeType: string;
  iops: number | null;
  encrypted: boolean;
  tags: Record<string, string>;
  attachment: VolumeAttachment | null;
}

export interface Snapshot {
  id: string;
  volumeId: string;
  sizeGib: number;
  startTimeMs: number;
  description: string;
  encrypted: boolean;
  tags: Record<string, string>;
  /** CreateSnapshot answers "pending" first; seeded snapshots are complete (absent = completed). */
  state?: 'pending' | 'completed';
}

export interface ImageBlockDevice {
  deviceName: string;
  snapshotId: string;
  sizeGib: number;
  volumeType: string;
  deleteOnTermination: boolean;
}

export interface Image {
  id: string;
  name: string;
  description: string;
  architecture: 'x86_64' | 'arm64';
  ownerId: string;
  creationTimeMs: number;
  rootDeviceName: string;
  blockDevices: ImageBlockDevice[];
  tags: Record<string, string>;
}

/** What EC2 knows about an instance beyond the simulator's Fleet. */
export interface InstanceMeta {
  reservationId: string;
  amiLaunchIndex: number;
  spotInstanceRequestId: string | null;
}

export interface IdempotentResult {
  fingerprint: string;
  instanceIds: string[];
  /** Action-specific payload to answer a repeat with the original result. */
  payload: unknown;
}

/**
 * Everything the fake EC2 holds besides instances (those live in the Fleet): volumes,
 * snapshots, images, idempotency tokens, and the test switches.
 */
export class Ec2State {
  /** Actions answered with UnauthorizedOperation, to test permission handling. */
  readonly denyActions = new Set<string>();
  /**
   * Faults to answer instead of serving: per action, a queue of EC2 error codes, one per
   * request (e.g. RequestLimitExceeded to test throttling and the clients' retries).
   */
  readonly faults = new Map<string, string[]>();
  /** Live spot instances allowed at once before MaxSpotInstanceCountExceeded. */
  spotInstanceLimit = 500;
  readonly volumes = new Map<string, Volume>();
  readonly snapshots = new Map<string, Snapshot>();
  readonly images = new Map<string, Image>();
  readonly instanceMeta = new Map<string, InstanceMeta>();
  readonly clientTokens = new Map<string, IdempotentResult>();
  private readonly ids: Rng;

  constructor(
    readonly fleet: Fleet,
    readonly clock: Clock,
    readonly zones: readonly string[],
    rng: Rng,
  ) {
    this.ids = rng.fork('ec2-ids');
    fleet.on('launched', (i) => this.attachRootVolume(i));
    fleet.on('terminated', (i) => this.releaseVolumes(i));
  }

  /** An EC2-shaped id: prefix, dash, 17 hex digits (seeded, so runs repeat). */
  newId(prefix: string): string {
    const hi = Math.floor(this.ids.next() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
    const lo = Math.floor(this.ids.next() * 0x1000000000)
      .toString(16)
      .padStart(9, '0');
    return `${prefix}-0${hi.slice(1)}${lo}`;
  }

  subnetFor(availabilityZone: string): string {
    return `subnet-${availabilityZone.replaceAll('-', '')}`;
  }

  zoneOfSubnet(subnetId: string): string | undefined {
    return this.zones.find((z) => this.subnetFor(z) === subnetId);
  }

  /** Queues `times` answers of `code` for the next requests of `action`. */
  injectFault(action: string, code: string, times = 1): void {
    this.faults.set(action, [...(this.faults.get(action) ?? []), ...Array<string>(times).fill(code)]);
  }

  /** The next queued fault of the action, consumed; undefined when none is queued. */
  takeFault(action: string): string | undefined {
    const queue = this.faults.get(action);
    const code = queue?.shift();
    if (queue && queue.length === 0) this.faults.delete(action);
    return code;
  }

  /** Tags of any taggable resource by id, or undefined when it does not exist. */
  tagsOf(resourceId: string): Record<string, string> | undefined {
    if (resourceId.startsWith('i-')) {
      const i = this.fleet.get(resourceId);
      return i && i.state !== 'terminated' ? i.tags : undefined;
    }
    return (this.volumes.get(resourceId) ?? this.snapshots.get(resourceId) ?? this.images.get(resourceId))?.tags;
  }

  /** Snapshots some registered image needs; EC2 refuses to delete them. */
  imageUsing(snapshotId: string): Image | undefined {
    return [...this.images.values()].find((img) => img.blockDevices.some((b) => b.snapshotId === snapshotId));
  }

  private attachRootVolume(instance: SimInstance): void {
    const image = this.images.get(instance.imageId);
    const root = image?.blockDevices.find((b) => b.deviceName === image.rootDeviceName);
    const id = this.newId('vol');
    this.volumes.set(id, {
      id,
      sizeGib: root?.sizeGib ?? 20,
      snapshotId: root?.snapshotId ?? null,
      availabilityZone: instance.availabilityZone,
      state: 'in-use',
      createTimeMs: instance.launchTimeMs,
      volumeType: root?.volumeType ?? 'gp3',
      iops: 3000,
      encrypted: false,
      tags: {},
      attachment: {
        instanceId: instance.id,
        device: image?.rootDeviceName ?? '/dev/xvda',
        attachTimeMs: instance.launchTimeMs,
        deleteOnTermination: root?.deleteOnTermination ?? true,
      },
    });
  }

  private releaseVolumes(instance: SimInstance): void {
    for (const v of [...this.volumes.values()]) {
      if (v.attachment?.instanceId !== instance.id) continue;
      if (v.attachment.deleteOnTermination) this.volumes.delete(v.id);
      else {
        v.attachment = null;
        v.state = 'available';
      }
    }
  }

  volumesOf(instanceId: string): Volume[] {
    return [...this.volumes.values()].filter((v) => v.attachment?.instanceId === instanceId);
  }
}
