/**
 * The data the CloudProvider port speaks: plain, JSON-friendly, times in ms since the
 * epoch, EC2's own names for states and architectures so nothing is lost in translation.
 */

export type CapacityType = 'spot' | 'on-demand';

/** Tag keys Ballast puts on what it launches, so ownership survives a hub restart. */
export const TAG_KEYS = {
  tenant: 'ballast.io/tenant',
  cluster: 'ballast.io/cluster',
  decision: 'ballast.io/decision',
  managed: 'ballast.io/managed',
} as const;

export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export interface LaunchRequest {
  instanceType: string;
  /** The pool's zone; with `subnetId` the subnet must be in this zone. */
  zone: string;
  subnetId?: string;
  capacityType: CapacityType;
  imageId: string;
  securityGroupIds?: string[];
  /** Plain text; the provider base64-encodes it as RunInstances requires. */
  userData?: string;
  tenant: string;
  cluster: string;
  decisionId: string;
  /** Extra tags, applied to the instance and its volumes; the Ballast tags win on a clash. */
  tags?: Record<string, string>;
  /**
   * Idempotency key, ≤ 64 ASCII characters, unique per intended instance (e.g. derived
   * from the decision id and the step). A retry with the same token and request returns
   * the instance the first call created instead of launching another.
   */
  clientToken: string;
}

export interface Instance {
  id: string;
  instanceType: string;
  zone: string;
  subnetId: string | null;
  capacityType: CapacityType;
  state: InstanceState;
  launchTimeMs: number;
  imageId: string;
  privateIp: string | null;
  privateDnsName: string | null;
  clientToken: string | null;
  /** Why the state last changed (e.g. "Client.UserInitiatedShutdown"); empty when none. */
  stateReason: string;
  tags: Record<string, string>;
}

export interface InstanceQuery {
  /** Only these ids; ids that do not exist (or aged out after termination) are simply absent. */
  ids?: string[];
  /** Every key must match its value exactly. */
  tags?: Record<string, string>;
  states?: InstanceState[];
  zones?: string[];
}

export interface TerminateResult {
  id: string;
  /** Null when EC2 no longer knew the instance (it was gone already). */
  previousState: InstanceState | null;
  currentState: InstanceState;
}

export type Architecture = 'x86_64' | 'arm64' | 'i386' | 'x86_64_mac' | 'arm64_mac';

export interface InstanceTypeInfo {
  instanceType: string;
  vcpu: number;
  memoryMib: number;
  /** Every architecture the type supports, as EC2 lists them. */
  architectures: Architecture[];
  gpuCount: number;
  currentGeneration: boolean;
  supportsSpot: boolean;
  supportsOnDemand: boolean;
  bareMetal: boolean;
}

export interface SpotPriceQuery {
  /** Absent: every type EC2 prices. */
  instanceTypes?: string[];
  /** Absent: every zone of the region. */
  zones?: string[];
  startMs: number;
  /** Default: now. */
  endMs?: number;
  /** Default "Linux/UNIX". */
  productDescription?: string;
}

/** A spot price change: `price` (USD/hour) holds from `timeMs` until the pool's next point. */
export interface SpotPrice {
  instanceType: string;
  zone: string;
  price: number;
  timeMs: number;
}

export interface Zone {
  name: string;
  zoneId: string;
  state: string;
}

/** Filter for volumes, snapshots and images. */
export interface ResourceQuery {
  ids?: string[];
  tags?: Record<string, string>;
}

export interface VolumeAttachment {
  instanceId: string;
  device: string;
  /** attaching | attached | detaching | detached | busy */
  state: string;
  deleteOnTermination: boolean;
}

export interface Volume {
  id: string;
  sizeGib: number;
  zone: string;
  /** creating | available | in-use | deleting | deleted | error */
  state: string;
  volumeType: string;
  snapshotId: string | null;
  createTimeMs: number;
  attachments: VolumeAttachment[];
  tags: Record<string, string>;
}

export interface Snapshot {
  id: string;
  volumeId: string | null;
  sizeGib: number;
  /** pending | completed | error | recoverable | recovering */
  state: string;
  startTimeMs: number;
  description: string;
  tags: Record<string, string>;
}

export interface CreateSnapshotRequest {
  volumeId: string;
  description?: string;
  tags?: Record<string, string>;
}

export interface ImageBlockDevice {
  deviceName: string;
  /** Null for ephemeral or snapshot-less devices. */
  snapshotId: string | null;
  sizeGib: number | null;
}

export interface Image {
  id: string;
  name: string;
  architecture: string;
  state: string;
  creationTimeMs: number | null;
  rootDeviceName: string | null;
  blockDevices: ImageBlockDevice[];
  tags: Record<string, string>;
}
