import { CreateTagsCommand, DescribeInstancesCommand, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_IMAGE_IDS } from '../../src/ec2/index.ts';
import { type Harness, sdkError, startHarness } from './harness.ts';

const AMI = BUILT_IN_IMAGE_IDS.al2023X86;
let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function describeAll(filters: Array<{ Name: string; Values: string[] }> = []) {
  const out = await h.ec2.send(new DescribeInstancesCommand({ Filters: filters }));
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

describe('RunInstances', () => {
  it('launches on-demand and spot instances that DescribeInstances reports with lifecycle, placement and tags', async () => {
    const od = await h.ec2.send(
      new RunInstancesCommand({
        ImageId: AMI,
        InstanceType: 'm5.large',
        MinCount: 2,
        MaxCount: 2,
        Placement: { AvailabilityZone: 'us-east-1b' },
      }),
    );
    const spot = await h.ec2.send(
      new RunInstancesCommand({
        ImageId: AMI,
        InstanceType: 'c5.large',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: 'subnet-useast1c',
        InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { SpotInstanceType: 'one-time' } },
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'ballast.io/cluster', Value: 'c1' }] }],
      }),
    );
    expect(od.Instances).toHaveLength(2);
    expect(od.Instances?.[0]?.State?.Name).toBe('pending');
    expect(od.ReservationId).toMatch(/^r-[0-9a-f]{17}$/);
    const spotId = spot.Instances?.[0]?.InstanceId as string;

    await h.clock.advance(31_000);
    const all = await describeAll();
    expect(all.map((i) => i.State?.Name)).toEqual(['running', 'running', 'running']);
    const s = all.find((i) => i.InstanceId === spotId);
    expect(s?.InstanceLifecycle).toBe('spot');
    expect(s?.SpotInstanceRequestId).toMatch(/^sir-/);
    expect(s?.Placement?.AvailabilityZone).toBe('us-east-1c');
    expect(s?.Tags).toEqual([{ Key: 'ballast.io/cluster', Value: 'c1' }]);
    expect(s?.BlockDeviceMappings?.[0]?.Ebs?.VolumeId).toMatch(/^vol-/);
    expect(all.filter((i) => i.InstanceLifecycle === undefined)).toHaveLength(2);
    expect(h.fleet.get(spotId)?.spotPriceAtLaunch).toBe(h.market.spotPrice('c5.large', 'us-east-1c', h.clock.now()));

    const spotOnly = await describeAll([{ Name: 'instance-lifecycle', Values: ['spot'] }]);
    expect(spotOnly.map((i) => i.InstanceId)).toEqual([spotId]);
    const tagged = await describeAll([{ Name: 'tag:ballast.io/cluster', Values: ['c1'] }]);
    expect(tagged.map((i) => i.InstanceId)).toEqual([spotId]);
    const inB = await describeAll([
      { Name: 'availability-zone', Values: ['us-east-1b'] },
      { Name: 'instance-type', Values: ['m5.*'] },
    ]);
    expect(inB).toHaveLength(2);
    const byReservation = await h.ec2.send(new DescribeInstancesCommand({}));
    expect(byReservation.Reservations?.map((r) => r.Instances?.length).sort()).toEqual([1, 2]);
  });

  it('returns the same reservation for a repeated ClientToken and refuses the token with other parameters', async () => {
    const input = { ImageId: AMI, InstanceType: 'm5.large' as const, MinCount: 1, MaxCount: 3, ClientToken: 'once-only' };
    const first = await h.ec2.send(new RunInstancesCommand(input));
    const again = await h.ec2.send(new RunInstancesCommand(input));
    expect(again.ReservationId).toBe(first.ReservationId);
    expect(again.Instances?.map((i) => i.InstanceId)).toEqual(first.Instances?.map((i) => i.InstanceId));
    expect(h.fleet.list()).toHaveLength(3);
    const err = await sdkError(h.ec2.send(new RunInstancesCommand({ ...input, InstanceType: 'c5.large' })));
    expect(err.name).toBe('IdempotentParameterMismatch');
  });

  it('fails with InsufficientInstanceCapacity (HTTP 500) when the pool cannot hold MinCount, and launches what fits up to MaxCount', async () => {
    h.market.capacity.setCapacity('m5.large', 'us-east-1a', 2);
    const err = await sdkError(
      h.ec2.send(
        new RunInstancesCommand({
          ImageId: AMI,
          InstanceType: 'm5.large',
          MinCount: 3,
          MaxCount: 3,
          Placement: { AvailabilityZone: 'us-east-1a' },
        }),
      ),
    );
    expect(err.name).toBe('InsufficientInstanceCapacity');
    expect(err.$metadata?.httpStatusCode).toBe(500);
    const partial = await h.ec2.send(
      new RunInstancesCommand({
        ImageId: AMI,
        InstanceType: 'm5.large',
        MinCount: 1,
        MaxCount: 5,
        Placement: { AvailabilityZone: 'us-east-1a' },
      }),
    );
    expect(partial.Instances).toHaveLength(2);
    const none = await sdkError(
      h.ec2.send(
        new RunInstancesCommand({
          ImageId: AMI,
          InstanceType: 'm5.large',
          MinCount: 1,
          MaxCount: 1,
          Placement: { AvailabilityZone: 'us-east-1a' },
        }),
      ),
    );
    expect(none.name).toBe('InsufficientInstanceCapacity');
  });

  it('enforces the spot instance limit, image existence, instance type and zone', async () => {
    h.server.state.spotInstanceLimit = 2;
    const spot = { MarketType: 'spot' as const };
    await h.ec2.send(
      new RunInstancesCommand({ ImageId: AMI, InstanceType: 'm5.large', MinCount: 2, MaxCount: 2, InstanceMarketOptions: spot }),
    );
    const limit = await sdkError(
      h.ec2.send(
        new RunInstancesCommand({ ImageId: AMI, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1, InstanceMarketOptions: spot }),
      ),
    );
    expect(limit.name).toBe('MaxSpotInstanceCountExceeded');
    await h.ec2.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1 }));

    expect(
      (
        await sdkError(
          h.ec2.send(new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', InstanceType: 'm5.large', MinCount: 1, MaxCount: 1 })),
        )
      ).name,
    ).toBe('InvalidAMIID.NotFound');
    expect(
      (await sdkError(h.ec2.send(new RunInstancesCommand({ ImageId: 'not-an-ami', InstanceType: 'm5.large', MinCount: 1, MaxCount: 1 }))))
        .name,
    ).toBe('InvalidAMIID.Malformed');
    expect(
      (
        await sdkError(
          h.ec2.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: 'x9.huge' as 'm5.large', MinCount: 1, MaxCount: 1 })),
        )
      ).name,
    ).toBe('InvalidParameterValue');
    expect(
      (
        await sdkError(
          h.ec2.send(
            new RunInstancesCommand({ ImageId: AMI, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1, SubnetId: 'subnet-nope' }),
          ),
        )
      ).name,
    ).toBe('InvalidSubnetID.NotFound');
    const tooLow = await sdkError(
      h.ec2.send(
        new RunInstancesCommand({
          ImageId: AMI,
          InstanceType: 'c5.large',
          MinCount: 1,
          MaxCount: 1,
          InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { MaxPrice: '0.0001' } },
        }),
      ),
    );
    expect(tooLow.name).toBe('SpotMaxPriceTooLow');
  });
});

describe('TerminateInstances', () => {
  it('reports previous and current state, then the instance reaches terminated and its root volume is deleted', async () => {
    const run = await h.ec2.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1 }));
    const id = run.Instances?.[0]?.InstanceId as string;
    await h.clock.advance(31_000);
    const rootVolume = h.server.state.volumesOf(id)[0]?.id as string;
    expect(h.server.state.volumes.has(rootVolume)).toBe(true);

    const out = await h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(out.TerminatingInstances?.[0]).toMatchObject({
      InstanceId: id,
      PreviousState: { Name: 'running', Code: 16 },
      CurrentState: { Name: 'shutting-down', Code: 32 },
    });
    expect((await describeAll())[0]?.State?.Name).toBe('shutting-down');
    await h.clock.advance(21_000);
    const after = (await describeAll())[0];
    expect(after?.State).toEqual({ Name: 'terminated', Code: 48 });
    expect(after?.StateReason?.Code).toBe('Client.UserInitiatedShutdown');
    expect(after?.StateTransitionReason).toMatch(/^User initiated \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\)$/);
    expect(h.server.state.volumes.has(rootVolume)).toBe(false);

    await h.clock.advance(3_700_000);
    expect(await describeAll()).toEqual([]);
  });

  it('names unknown and malformed ids the way EC2 does', async () => {
    expect((await sdkError(h.ec2.send(new TerminateInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })))).name).toBe(
      'InvalidInstanceID.NotFound',
    );
    expect((await sdkError(h.ec2.send(new TerminateInstancesCommand({ InstanceIds: ['bogus'] })))).name).toBe(
      'InvalidInstanceID.Malformed',
    );
    expect((await sdkError(h.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })))).name).toBe(
      'InvalidInstanceID.NotFound',
    );
  });

  it('tags instances through CreateTags and finds them by tag-key', async () => {
    const run = await h.ec2.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1 }));
    const id = run.Instances?.[0]?.InstanceId as string;
    await h.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'team', Value: 'infra' }] }));
    expect((await describeAll([{ Name: 'tag-key', Values: ['team'] }])).map((i) => i.InstanceId)).toEqual([id]);
    expect(await describeAll([{ Name: 'tag:team', Values: ['other'] }])).toEqual([]);
  });
});
