import {
  CreateTagsCommand,
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DeleteTagsCommand,
  DeleteVolumeCommand,
  DescribeAvailabilityZonesCommand,
  DescribeImagesCommand,
  DescribeInstanceTypesCommand,
  DescribeSnapshotsCommand,
  DescribeTagsCommand,
  DescribeVolumesCommand,
  paginateDescribeInstanceTypes,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_IMAGE_IDS } from '../../src/ec2/index.ts';
import { loadCatalog } from '../../src/market/index.ts';
import { type Harness, sdkError, startHarness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function launchOne(): Promise<string> {
  const run = await h.ec2.send(
    new RunInstancesCommand({ ImageId: BUILT_IN_IMAGE_IDS.al2023X86, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1 }),
  );
  return run.Instances?.[0]?.InstanceId as string;
}

describe('volumes', () => {
  it('lists in-use root volumes and seeded leftovers, refuses to delete an attached one, deletes an available one', async () => {
    const id = await launchOne();
    const inUse = await h.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [id] }] }));
    const root = inUse.Volumes?.[0];
    expect(root).toMatchObject({
      State: 'in-use',
      Size: 20,
      Attachments: [{ InstanceId: id, Device: '/dev/xvda', DeleteOnTermination: true }],
    });
    const refused = await sdkError(h.ec2.send(new DeleteVolumeCommand({ VolumeId: root?.VolumeId })));
    expect(refused.name).toBe('VolumeInUse');

    const available = await h.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'status', Values: ['available'] }] }));
    expect(available.Volumes?.length).toBe(3);
    const leftover = available.Volumes?.[0]?.VolumeId as string;
    await h.ec2.send(new DeleteVolumeCommand({ VolumeId: leftover }));
    expect((await sdkError(h.ec2.send(new DeleteVolumeCommand({ VolumeId: leftover })))).name).toBe('InvalidVolume.NotFound');
  });

  it('creates a volume that becomes available', async () => {
    const created = await h.ec2.send(
      new CreateVolumeCommand({
        AvailabilityZone: 'us-east-1d',
        Size: 30,
        VolumeType: 'gp3',
        TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'Name', Value: 'scratch' }] }],
      }),
    );
    expect(created).toMatchObject({
      State: 'creating',
      Size: 30,
      AvailabilityZone: 'us-east-1d',
      Tags: [{ Key: 'Name', Value: 'scratch' }],
    });
    await h.clock.advance(1_000);
    const out = await h.ec2.send(new DescribeVolumesCommand({ VolumeIds: [created.VolumeId as string] }));
    expect(out.Volumes?.[0]?.State).toBe('available');
  });
});

describe('snapshots and images', () => {
  it('refuses to delete a snapshot an AMI uses and deletes an orphan one', async () => {
    const images = await h.ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    expect(images.Images?.map((i) => i.ImageId).sort()).toEqual(Object.values(BUILT_IN_IMAGE_IDS).sort());
    const used = new Set(images.Images?.flatMap((i) => i.BlockDeviceMappings?.map((b) => b.Ebs?.SnapshotId) ?? []));
    expect(used.size).toBe(4);

    const snaps = await h.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    const all = snaps.Snapshots?.map((s) => s.SnapshotId as string) ?? [];
    expect(all.length).toBe(8);
    const inUse = all.find((s) => used.has(s)) as string;
    const orphan = all.find((s) => !used.has(s)) as string;
    expect((await sdkError(h.ec2.send(new DeleteSnapshotCommand({ SnapshotId: inUse })))).name).toBe('InvalidSnapshot.InUse');
    await h.ec2.send(new DeleteSnapshotCommand({ SnapshotId: orphan }));
    const after = await h.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    expect(after.Snapshots?.map((s) => s.SnapshotId)).not.toContain(orphan);
    expect((await h.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['amazon'] }))).Snapshots).toEqual([]);
  });

  it('describes images by id and rejects unknown ones', async () => {
    const one = await h.ec2.send(new DescribeImagesCommand({ ImageIds: [BUILT_IN_IMAGE_IDS.al2023Arm] }));
    expect(one.Images?.[0]).toMatchObject({ Architecture: 'arm64', State: 'available', RootDeviceName: '/dev/xvda' });
    expect((await sdkError(h.ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0fffffffffffffff0'] })))).name).toBe(
      'InvalidAMIID.NotFound',
    );
  });
});

describe('tags', () => {
  it('creates, filters and deletes tags across resource types', async () => {
    const id = await launchOne();
    const vol = h.server.state.volumesOf(id)[0]?.id as string;
    await h.ec2.send(
      new CreateTagsCommand({
        Resources: [id, vol],
        Tags: [
          { Key: 'env', Value: 'prod' },
          { Key: 'owner', Value: 'me' },
        ],
      }),
    );
    const byKey = await h.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['env'] }] }));
    expect(byKey.Tags?.map((t) => [t.ResourceId, t.ResourceType, t.Value]).sort()).toEqual(
      [
        [id, 'instance', 'prod'],
        [vol, 'volume', 'prod'],
      ].sort(),
    );
    const byResource = await h.ec2.send(
      new DescribeTagsCommand({
        Filters: [
          { Name: 'resource-id', Values: [id] },
          { Name: 'resource-type', Values: ['instance'] },
        ],
      }),
    );
    expect(byResource.Tags?.map((t) => t.Key).sort()).toEqual(['env', 'owner']);

    await h.ec2.send(new DeleteTagsCommand({ Resources: [id], Tags: [{ Key: 'env', Value: 'staging' }] }));
    expect(h.fleet.get(id)?.tags).toEqual({ env: 'prod', owner: 'me' });
    await h.ec2.send(new DeleteTagsCommand({ Resources: [id], Tags: [{ Key: 'env' }] }));
    expect(h.fleet.get(id)?.tags).toEqual({ owner: 'me' });
    expect(
      (await sdkError(h.ec2.send(new CreateTagsCommand({ Resources: ['i-0123456789abcdef0'], Tags: [{ Key: 'a', Value: 'b' }] })))).name,
    ).toBe('InvalidInstanceID.NotFound');
    expect((await sdkError(h.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })))).name).toBe(
      'InvalidParameterValue',
    );
  });
});

describe('zones and instance types', () => {
  it('lists the six us-east-1 zones', async () => {
    const out = await h.ec2.send(new DescribeAvailabilityZonesCommand({}));
    expect(out.AvailabilityZones?.map((z) => z.ZoneName)).toEqual([
      'us-east-1a',
      'us-east-1b',
      'us-east-1c',
      'us-east-1d',
      'us-east-1e',
      'us-east-1f',
    ]);
    expect(out.AvailabilityZones?.[0]).toMatchObject({ State: 'available', RegionName: 'us-east-1', ZoneId: 'use1-az1' });
  });

  it('describes types with vCPUs, memory and architecture and filters them', async () => {
    const out = await h.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['m6g.large', 'c5.xlarge'] }));
    const byName = Object.fromEntries(out.InstanceTypes?.map((t) => [t.InstanceType, t]) ?? []);
    expect(byName['m6g.large']).toMatchObject({
      VCpuInfo: { DefaultVCpus: 2 },
      MemoryInfo: { SizeInMiB: 8192 },
      ProcessorInfo: { SupportedArchitectures: ['arm64'] },
    });
    expect(byName['c5.xlarge']).toMatchObject({
      VCpuInfo: { DefaultVCpus: 4 },
      MemoryInfo: { SizeInMiB: 8192 },
      ProcessorInfo: { SupportedArchitectures: ['x86_64'] },
    });
    const arm = await h.ec2.send(
      new DescribeInstanceTypesCommand({ Filters: [{ Name: 'processor-info.supported-architecture', Values: ['arm64'] }] }),
    );
    expect(arm.InstanceTypes?.map((t) => t.InstanceType).sort()).toEqual(['m6g.large', 'm6g.xlarge']);
    expect((await sdkError(h.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['zz.large' as 'm5.large'] })))).name).toBe(
      'InvalidInstanceType',
    );
  });

  it('pages through a full catalog with the SDK paginator', async () => {
    await h.close();
    const catalog = loadCatalog(new URL('../../../../shared/data/instance_types.csv', import.meta.url));
    h = await startHarness({ catalog });
    let pages = 0;
    const names: string[] = [];
    for await (const page of paginateDescribeInstanceTypes({ client: h.ec2, pageSize: 100 }, {})) {
      pages++;
      names.push(...(page.InstanceTypes?.map((t) => t.InstanceType as string) ?? []));
    }
    expect(names.length).toBe(catalog.size);
    expect(new Set(names).size).toBe(catalog.size);
    expect(pages).toBe(Math.ceil(catalog.size / 100));
  });
});
