import type {
  CreateSnapshotRequest,
  Image,
  Instance,
  InstanceQuery,
  InstanceTypeInfo,
  LaunchRequest,
  ResourceQuery,
  Snapshot,
  SpotPrice,
  SpotPriceQuery,
  TerminateResult,
  Volume,
  Zone,
} from './cloud-types.ts';

/**
 * The one port to the cloud (after Karpenter's CloudProvider): everything the hub buys,
 * lists, prices and cleans up goes through it. Every method rejects only with a
 * CloudError (see cloud-error.ts for the codes); the common ones are:
 * - unauthorized: missing or insufficient credentials, on any method;
 * - throttled / unavailable: after the implementation's own retries, on any method;
 * - invalid-parameter: a malformed id or a request the cloud refuses as wrong.
 * Listings read every page before they resolve; none resolves with a partial list.
 * Methods below name only the errors particular to them.
 */
export interface CloudProvider {
  /**
   * Launches one instance into the pool (type, zone, spot | on-demand), tagged with
   * tenant, cluster and decision. Idempotent by `clientToken`: repeating the same request
   * with the same token returns the instance the first call created (in whatever state it
   * is now) and launches nothing. Resolves once the cloud has accepted the launch (state
   * pending); it does not wait for running.
   * Errors: capacity (with `pool` set) when the pool has no capacity, no spot offering or
   * the account's limits are reached — not retried, the caller should try another pool;
   * invalid-parameter for an unknown type, image or subnet, a bad token, or a token reused
   * with a different request; not-found when the image or subnet does not exist.
   */
  launch(request: LaunchRequest): Promise<Instance>;

  /**
   * Terminates the instances. Idempotent: already terminated or unknown instances are
   * fine (unknown ones answer previousState null, currentState terminated). One result per
   * distinct id, in input order. An empty list makes no call.
   * Errors: invalid-parameter for a malformed id (nothing is terminated then).
   */
  terminate(instanceIds: readonly string[]): Promise<TerminateResult[]>;

  /**
   * Instances matching every given criterion (ids, tags, states, zones); ids that do not
   * exist are absent, not an error. Terminated instances stay listed while the cloud
   * keeps them (about an hour on EC2). An empty `ids` list matches nothing.
   */
  describeInstances(query?: InstanceQuery): Promise<Instance[]>;

  /**
   * Instance types with vCPUs, memory, architectures and usage classes, sorted by name;
   * all the region offers, or only `names`.
   * Errors: invalid-parameter when a named type does not exist.
   */
  describeInstanceTypes(names?: readonly string[]): Promise<InstanceTypeInfo[]>;

  /**
   * Spot price changes for the types × zones over [startMs, endMs], plus each pool's
   * change in effect at startMs (as EC2 answers), sorted by type, zone, then time.
   * Errors: invalid-parameter when endMs < startMs.
   */
  describeSpotPriceHistory(query: SpotPriceQuery): Promise<SpotPrice[]>;

  /** The region's availability zones (not Local or Wavelength Zones), sorted by name. */
  describeAvailabilityZones(): Promise<Zone[]>;

  /** Volumes by ids and/or tags, with their attachments; unknown ids are absent. */
  describeVolumes(query?: ResourceQuery): Promise<Volume[]>;

  /**
   * Deletes an unattached volume.
   * Errors: in-use when it is attached; not-found when it does not exist.
   */
  deleteVolume(volumeId: string): Promise<void>;

  /** The account's own snapshots (owner self) by ids and/or tags; unknown ids are absent. */
  describeSnapshots(query?: ResourceQuery): Promise<Snapshot[]>;

  /**
   * Starts a snapshot of the volume; it answers pending and completes later.
   * Errors: not-found when the volume does not exist.
   */
  createSnapshot(request: CreateSnapshotRequest): Promise<Snapshot>;

  /**
   * Deletes a snapshot.
   * Errors: in-use when a registered image uses it; not-found when it does not exist.
   */
  deleteSnapshot(snapshotId: string): Promise<void>;

  /** The account's own images (owner self) with their block devices' snapshot ids; unknown ids are absent. */
  describeImages(query?: ResourceQuery): Promise<Image[]>;

  /**
   * Adds or overwrites tags on instances, volumes, snapshots or images. Nothing to tag
   * makes no call.
   * Errors: not-found when a resource does not exist (then no resource of that call is tagged).
   */
  createTags(resourceIds: readonly string[], tags: Record<string, string>): Promise<void>;
}
