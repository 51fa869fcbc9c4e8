import {
  CreateFleetCommand,
  type CreateFleetCommandInput,
  DescribeInstancesCommand,
  type SpotAllocationStrategy,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  // cheap but nearly full / dear but roomiest / mid-priced and roomy
  h.market.setSpotPrice('m5.large', 'us-east-1a', 0.02);
  h.market.capacity.setCapacity('m5.large', 'us-east-1a', 3);
  h.market.setSpotPrice('c5.large', 'us-east-1b', 0.05);
  h.market.capacity.setCapacity('c5.large', 'us-east-1b', 1000);
  h.market.setSpotPrice('r5.large', 'us-east-1c', 0.035);
  h.market.capacity.setCapacity('r5.large', 'us-east-1c', 800);
});
afterEach(async () => {
  await h.close();
});

function fleetInput(
  strategy: SpotAllocationStrategy | undefined,
  total = 2,
  extra: Partial<CreateFleetCommandInput> = {},
): CreateFleetCommandInput {
  return {
    Type: 'instant',
    LaunchTemplateConfigs: [
      {
        LaunchTemplateSpecification: { LaunchTemplateName: 'ballast-nodes', Version: '$Latest' },
        Overrides: [
          { InstanceType: 'm5.large', AvailabilityZone: 'us-east-1a' },
          { InstanceType: 'c5.large', AvailabilityZone: 'us-east-1b' },
          { InstanceType: 'r5.large', SubnetId: 'subnet-useast1c' },
        ],
      },
    ],
    TargetCapacitySpecification: { TotalTargetCapacity: total, DefaultTargetCapacityType: 'spot' },
    SpotOptions: strategy ? { AllocationStrategy: strategy } : undefined,
    ...extra,
  };
}

async function poolsChosen(strategy: SpotAllocationStrategy) {
  const out = await h.ec2.send(new CreateFleetCommand(fleetInput(strategy)));
  return (out.Instances ?? []).map(
    (i) => `${i.InstanceType}@${i.LaunchTemplateAndOverrides?.Overrides?.AvailabilityZone}:${i.InstanceIds?.length}:${i.Lifecycle}`,
  );
}

describe('CreateFleet (instant)', () => {
  it('lowest-price takes the cheapest pool', async () => {
    expect(await poolsChosen('lowest-price')).toEqual(['m5.large@us-east-1a:2:spot']);
  });

  it('capacity-optimized takes the pool with the most free capacity', async () => {
    expect(await poolsChosen('capacity-optimized')).toEqual(['c5.large@us-east-1b:2:spot']);
  });

  it('price-capacity-optimized takes the cheapest of the high-capacity pools', async () => {
    expect(await poolsChosen('price-capacity-optimized')).toEqual(['r5.large@us-east-1c:2:spot']);
  });

  it('launches real spot instances, tagged, with fleet ids and an empty error set when all went well', async () => {
    const out = await h.ec2.send(
      new CreateFleetCommand(
        fleetInput('lowest-price', 2, { TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'pool', Value: 'a' }] }] }),
      ),
    );
    expect(out.FleetId).toMatch(/^fleet-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(out.Errors ?? []).toEqual([]);
    const ids = out.Instances?.flatMap((i) => i.InstanceIds ?? []) ?? [];
    const described = await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    const instances = described.Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
    expect(instances.map((i) => [i.InstanceLifecycle, i.InstanceType, i.Tags?.[0]?.Value])).toEqual([
      ['spot', 'm5.large', 'a'],
      ['spot', 'm5.large', 'a'],
    ]);
  });

  it('spills over when the preferred pool runs out and lists the exhausted pool in errorSet', async () => {
    h.market.capacity.setCapacity('m5.large', 'us-east-1a', 1);
    const out = await h.ec2.send(new CreateFleetCommand(fleetInput('lowest-price', 3)));
    expect(out.Instances?.map((i) => `${i.InstanceType}:${i.InstanceIds?.length}`)).toEqual(['m5.large:1', 'r5.large:2']);

    h.market.capacity.setCapacity('r5.large', 'us-east-1c', 0);
    const second = await h.ec2.send(new CreateFleetCommand(fleetInput('lowest-price', 1)));
    expect(second.Errors?.map((e) => [e.ErrorCode, e.LaunchTemplateAndOverrides?.Overrides?.InstanceType, e.Lifecycle])).toEqual([
      ['InsufficientInstanceCapacity', 'm5.large', 'spot'],
      ['InsufficientInstanceCapacity', 'r5.large', 'spot'],
    ]);
    expect(second.Instances?.map((i) => i.InstanceType)).toEqual(['c5.large']);
  });

  it('places on-demand capacity by priority with the prioritized strategy', async () => {
    const input = fleetInput(undefined, 1, {
      TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: 'on-demand' },
      OnDemandOptions: { AllocationStrategy: 'prioritized' },
    });
    const overrides = input.LaunchTemplateConfigs?.[0]?.Overrides ?? [];
    overrides.forEach((o, k) => {
      o.Priority = [3, 2, 1][k];
    });
    const out = await h.ec2.send(new CreateFleetCommand(input));
    expect(out.Instances?.map((i) => `${i.InstanceType}:${i.Lifecycle}`)).toEqual(['r5.large:on-demand']);
    const lowest = await h.ec2.send(new CreateFleetCommand({ ...input, OnDemandOptions: { AllocationStrategy: 'lowest-price' } }));
    // on-demand lowest-price: c5.large is the cheapest on-demand type of the three
    expect(lowest.Instances?.map((i) => i.InstanceType)).toEqual(['c5.large']);
  });

  it('answers a repeated ClientToken with the original fleet', async () => {
    const input = { ...fleetInput('capacity-optimized'), ClientToken: 'fleet-once' };
    const a = await h.ec2.send(new CreateFleetCommand(input));
    const b = await h.ec2.send(new CreateFleetCommand(input));
    expect(b.FleetId).toBe(a.FleetId);
    expect(h.fleet.list()).toHaveLength(2);
  });
});
