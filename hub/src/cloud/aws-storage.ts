import {
  CreateSnapshotCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeleteVolumeCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type Image as Ec2Image,
  type Snapshot as Ec2Snapshot,
  type Volume as Ec2Volume,
  type Filter,
} from '@aws-sdk/client-ec2';
import type { AwsContext, Sender } from './aws-context.ts';
import { allPages, chunks, filtersOf, MAX_FILTER_VALUES, pageSizeFor, tagList, tagRecord, timeMs } from './aws-pages.ts';
import { CloudError } from './cloud-error.ts';
import type { CreateSnapshotRequest, Image, ResourceQuery, Snapshot, Volume } from './cloud-types.ts';

const VOLUME_PAGE = { min: 5, max: 500 };
const SNAPSHOT_PAGE = { min: 5, max: 1000 };
const IMAGE_PAGE = { min: 5, max: 1000 };
/** CreateTags takes up to 1000 resource ids. */
const TAG_BATCH = 1000;

function volumeOf(v: Ec2Volume): Volume {
  return {
    id: v.VolumeId ?? '',
    sizeGib: v.Size ?? 0,
    zone: v.AvailabilityZone ?? '',
    state: v.State ?? 'available',
    volumeType: v.VolumeType ?? '',
    snapshotId: v.SnapshotId || null,
    createTimeMs: timeMs(v.CreateTime) ?? 0,
    attachments: (v.Attachments ?? []).map((a) => ({
      instanceId: a.InstanceId ?? '',
      device: a.Device ?? '',
      state: a.State ?? 'attached',
      deleteOnTermination: a.DeleteOnTermination ?? false,
    })),
    tags: tagRecord(v.Tags),
  };
}

function snapshotOf(s: Ec2Snapshot): Snapshot {
  return {
    id: s.SnapshotId ?? '',
    volumeId: s.VolumeId || null,
    sizeGib: s.VolumeSize ?? 0,
    state: s.State ?? 'pending',
    startTimeMs: timeMs(s.StartTime) ?? 0,
    description: s.Description ?? '',
    tags: tagRecord(s.Tags),
  };
}

function imageOf(i: Ec2Image): Image {
  return {
    id: i.ImageId ?? '',
    name: i.Name ?? '',
    architecture: i.Architecture ?? '',
    state: i.State ?? '',
    creationTimeMs: timeMs(i.CreationDate),
    rootDeviceName: i.RootDeviceName ?? null,
    blockDevices: (i.BlockDeviceMappings ?? []).map((b) => ({
      deviceName: b.DeviceName ?? '',
      snapshotId: b.Ebs?.SnapshotId || null,
      sizeGib: b.Ebs?.VolumeSize ?? null,
    })),
    tags: tagRecord(i.Tags),
  };
}

/**
 * A listing by optional ids (as a filter, so unknown ids are skipped rather than failing
 * the call) and tags, every page of every id chunk.
 */
async function listing<T>(
  ctx: AwsContext,
  query: ResourceQuery,
  idFilter: string,
  page: (send: Sender, filters: Filter[], nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string | undefined }>,
  operation: string,
): Promise<T[]> {
  if (query.ids && query.ids.length === 0) return [];
  const idChunks: Array<string[] | undefined> = query.ids ? chunks([...new Set(query.ids)], MAX_FILTER_VALUES) : [undefined];
  return ctx.call(operation, async (send) => {
    const out: T[] = [];
    for (const ids of idChunks) {
      const filters = filtersOf(query.tags, { [idFilter]: ids });
      out.push(...(await allPages(operation, (token) => page(send, filters, token), ctx.maxPages)));
    }
    return out;
  });
}

export function describeVolumes(ctx: AwsContext, query: ResourceQuery = {}): Promise<Volume[]> {
  return listing(
    ctx,
    query,
    'volume-id',
    async (send, Filters, NextToken) => {
      const out = await send(new DescribeVolumesCommand({ Filters, NextToken, MaxResults: pageSizeFor(ctx.pageSize, VOLUME_PAGE) }));
      return { items: (out.Volumes ?? []).map(volumeOf), nextToken: out.NextToken };
    },
    'describeVolumes',
  );
}

export function describeSnapshots(ctx: AwsContext, query: ResourceQuery = {}): Promise<Snapshot[]> {
  return listing(
    ctx,
    query,
    'snapshot-id',
    async (send, Filters, NextToken) => {
      const MaxResults = pageSizeFor(ctx.pageSize, SNAPSHOT_PAGE);
      const out = await send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters, NextToken, MaxResults }));
      return { items: (out.Snapshots ?? []).map(snapshotOf), nextToken: out.NextToken };
    },
    'describeSnapshots',
  );
}

export function describeImages(ctx: AwsContext, query: ResourceQuery = {}): Promise<Image[]> {
  return listing(
    ctx,
    query,
    'image-id',
    async (send, Filters, NextToken) => {
      const MaxResults = pageSizeFor(ctx.pageSize, IMAGE_PAGE);
      const out = await send(new DescribeImagesCommand({ Owners: ['self'], Filters, NextToken, MaxResults }));
      return { items: (out.Images ?? []).map(imageOf), nextToken: out.NextToken };
    },
    'describeImages',
  );
}

export function deleteVolume(ctx: AwsContext, volumeId: string): Promise<void> {
  return ctx.call('deleteVolume', async (send) => {
    await send(new DeleteVolumeCommand({ VolumeId: volumeId }));
  });
}

export function createSnapshot(ctx: AwsContext, req: CreateSnapshotRequest): Promise<Snapshot> {
  return ctx.call('createSnapshot', async (send) => {
    const tags = req.tags && Object.keys(req.tags).length ? [{ ResourceType: 'snapshot' as const, Tags: tagList(req.tags) }] : undefined;
    const out = await send(
      new CreateSnapshotCommand({ VolumeId: req.volumeId, Description: req.description, ...(tags ? { TagSpecifications: tags } : {}) }),
    );
    if (!out.SnapshotId)
      throw new CloudError('internal', 'createSnapshot: answered without a snapshot id', { operation: 'createSnapshot' });
    return snapshotOf(out);
  });
}

export function deleteSnapshot(ctx: AwsContext, snapshotId: string): Promise<void> {
  return ctx.call('deleteSnapshot', async (send) => {
    await send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
  });
}

export function createTags(ctx: AwsContext, resourceIds: readonly string[], tags: Record<string, string>): Promise<void> {
  if (resourceIds.length === 0 || Object.keys(tags).length === 0) return Promise.resolve();
  return ctx.call('createTags', async (send) => {
    for (const Resources of chunks([...new Set(resourceIds)], TAG_BATCH))
      await send(new CreateTagsCommand({ Resources, Tags: tagList(tags) }));
  });
}
