import type { EC2Client } from '@aws-sdk/client-ec2';
import { type AwsCloudConfig, createEc2Client, validateAwsConfig } from './aws-config.ts';
import { type AwsContext, type CloudCallRecord, createAwsContext } from './aws-context.ts';
import { describeInstances, launch, terminate } from './aws-instances.ts';
import { describeAvailabilityZones, describeInstanceTypes, describeSpotPriceHistory } from './aws-market.ts';
import {
  createSnapshot,
  createTags,
  deleteSnapshot,
  deleteVolume,
  describeImages,
  describeSnapshots,
  describeVolumes,
} from './aws-storage.ts';
import type { CloudProvider } from './cloud-provider.ts';
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

export interface AwsCloudProviderOptions {
  /** Called after every port call with its outcome (no request bodies, so no secrets). */
  observe?: (call: CloudCallRecord) => void;
}

/**
 * The CloudProvider on EC2 through @aws-sdk/client-ec2. The same code serves AWS and the
 * simulator: only the endpoint and credentials differ. Call `close()` to free the
 * client's sockets.
 */
export class AwsCloudProvider implements CloudProvider {
  private readonly client: EC2Client;
  private readonly ctx: AwsContext;

  constructor(config: AwsCloudConfig, options: AwsCloudProviderOptions = {}) {
    validateAwsConfig(config);
    this.client = createEc2Client(config);
    this.ctx = createAwsContext(this.client, { pageSize: config.pageSize, maxPages: config.maxPages, observe: options.observe });
  }

  launch(request: LaunchRequest): Promise<Instance> {
    return launch(this.ctx, request);
  }

  terminate(instanceIds: readonly string[]): Promise<TerminateResult[]> {
    return terminate(this.ctx, instanceIds);
  }

  describeInstances(query?: InstanceQuery): Promise<Instance[]> {
    return describeInstances(this.ctx, query);
  }

  describeInstanceTypes(names?: readonly string[]): Promise<InstanceTypeInfo[]> {
    return describeInstanceTypes(this.ctx, names);
  }

  describeSpotPriceHistory(query: SpotPriceQuery): Promise<SpotPrice[]> {
    return describeSpotPriceHistory(this.ctx, query);
  }

  describeAvailabilityZones(): Promise<Zone[]> {
    return describeAvailabilityZones(this.ctx);
  }

  describeVolumes(query?: ResourceQuery): Promise<Volume[]> {
    return describeVolumes(this.ctx, query);
  }

  deleteVolume(volumeId: string): Promise<void> {
    return deleteVolume(this.ctx, volumeId);
  }

  describeSnapshots(query?: ResourceQuery): Promise<Snapshot[]> {
    return describeSnapshots(this.ctx, query);
  }

  createSnapshot(request: CreateSnapshotRequest): Promise<Snapshot> {
    return createSnapshot(this.ctx, request);
  }

  deleteSnapshot(snapshotId: string): Promise<void> {
    return deleteSnapshot(this.ctx, snapshotId);
  }

  describeImages(query?: ResourceQuery): Promise<Image[]> {
    return describeImages(this.ctx, query);
  }

  createTags(resourceIds: readonly string[], tags: Record<string, string>): Promise<void> {
    return createTags(this.ctx, resourceIds, tags);
  }

  close(): void {
    this.client.destroy();
  }
}
