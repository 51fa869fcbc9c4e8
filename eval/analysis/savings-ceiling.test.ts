import { describe, expect, it } from 'vitest';
import type { PoolInfo } from '../data/replay-data.ts';
import { podsPerNode, savingsCeiling } from './savings-ceiling.ts';

const SHAPE = { cpuMillis: 500, memoryMib: 1024 };
const OVERHEAD = { cpuMillis: 200, memoryMib: 1024 };

function pool(type: string, vcpu: number, memoryGib: number, onDemandPrice: number, capacityType: 'spot' | 'on-demand' = 'spot'): PoolInfo {
  return {
    poolId: `${type}|us-east-1a|${capacityType}`,
    instanceType: type,
    family: type.split('.')[0] as string,
    zone: 'us-east-1a',
    capacityType,
    vcpu,
    memoryMib: memoryGib * 1024,
    arch: 'x86_64',
    onDemandPrice,
    advisorBucket: null,
  };
}

describe('savingsCeiling', () => {
  it('counts pods per node after the overhead, limited by the scarcer resource', () => {
    expect(podsPerNode(pool('c5.large', 2, 4, 0.085), SHAPE, OVERHEAD)).toBe(3); // memory: 3 GiB left
    expect(podsPerNode(pool('c5.xlarge', 4, 8, 0.17), SHAPE, OVERHEAD)).toBe(7); // cpu 3800m → 7, memory 7
    expect(podsPerNode(pool('r5.large', 2, 16, 0.126), SHAPE, OVERHEAD)).toBe(3); // cpu 1800m → 3
  });

  it('compares the cheapest spot slot with the cheapest on-demand slot, and the diversified mix', () => {
    const big = pool('c5.4xlarge', 16, 32, 0.68);
    const small = pool('c5.xlarge', 4, 8, 0.17);
    const c = savingsCeiling(
      [
        { pool: big, meanPricePerHour: 0.31 }, // 31 pods: $0.01 per pod-hour
        { pool: small, meanPricePerHour: 0.084 }, // 7 pods: $0.012
      ],
      [pool('c5.4xlarge', 16, 32, 0.68, 'on-demand'), pool('c5.large', 2, 4, 0.085, 'on-demand')],
      SHAPE,
      OVERHEAD,
      0.5,
    );
    expect(c.bestSpot).toMatchObject({ poolId: big.poolId, podsPerNode: 31 });
    expect(c.bestSpot.perPodHour).toBeCloseTo(0.01, 10);
    expect(c.bestOnDemand.poolId).toBe('c5.4xlarge|us-east-1a|on-demand'); // 0.68/31 = 0.02194 < 0.085/3
    expect(c.maxSavingsVsPackedOnDemand).toBeCloseTo(1 - 0.01 / (0.68 / 31), 10);
    // Half the pods in each pool: (0.01 + 0.012) / 2.
    expect(c.diversifiedSpotPerPodHour).toBeCloseTo(0.011, 10);
  });
});
