import { describe, expect, it } from 'vitest';
import type { CatalogInstanceType } from '../catalog/catalog-types.ts';
import type { Instance } from '../cloud/cloud-types.ts';
import type { RankedPoolScore } from '../scoring/score-pool.ts';
import { boardSpotPool } from './board-spot-pool.ts';

const type = (name: string, vcpu: number, memoryMib: number, over: Partial<CatalogInstanceType> = {}): CatalogInstanceType => ({
  instanceType: name,
  vcpu,
  memoryMib,
  architectures: ['x86_64'],
  gpuCount: 0,
  supportsSpot: true,
  supportsOnDemand: true,
  observedAt: 0,
  ...over,
});
const TYPES = new Map(
  [
    type('m5.large', 2, 8192),
    type('c5.large', 2, 4096),
    type('m5.xlarge', 4, 16384),
    type('m6g.large', 2, 8192, { architectures: ['arm64'] }),
    type('g4dn.xlarge', 4, 16384, { gpuCount: 1 }),
    type('r5.large', 2, 16384, { supportsSpot: false }),
  ].map((t) => [t.instanceType, t]),
);
const pool = (instanceType: string, zone: string, rank: number, capacityType: 'spot' | 'on-demand' = 'spot') =>
  ({ poolId: `${instanceType}|${zone}|${capacityType}`, instanceType, zone, capacityType, rank }) as RankedPoolScore;
const instance = (instanceType: string, zone = 'us-east-1a') => ({ id: 'i-1', instanceType, zone }) as Instance;

function choose(pools: RankedPoolScore[]) {
  return boardSpotPool({ board: { current: async () => ({ pools }) }, catalog: { instanceType: (n) => TYPES.get(n) } });
}

describe('boardSpotPool', () => {
  it('takes the best-ranked spot pool in the same zone that fits the node', async () => {
    const pick = choose([
      pool('m5.large', 'us-east-1b', 1),
      pool('m6g.large', 'us-east-1a', 2),
      pool('g4dn.xlarge', 'us-east-1a', 3),
      pool('c5.large', 'us-east-1a', 4),
      pool('r5.large', 'us-east-1a', 5),
      pool('m5.xlarge', 'us-east-1a', 6, 'on-demand'),
      pool('m5.xlarge', 'us-east-1a', 7),
      pool('m5.large', 'us-east-1a', 8),
    ]);
    // Other zone, other architecture, a GPU, too little memory, no spot, on-demand: all skipped.
    expect(await pick(instance('m5.large'))).toEqual({ instanceType: 'm5.xlarge', zone: 'us-east-1a', capacityType: 'spot' });
  });

  it('keeps the node type on spot when nothing ranked fits, the board fails or the type is unknown', async () => {
    expect(await choose([pool('c5.large', 'us-east-1a', 1)])(instance('m5.large'))).toEqual({
      instanceType: 'm5.large',
      zone: 'us-east-1a',
      capacityType: 'spot',
    });
    const failing = boardSpotPool({
      board: { current: () => Promise.reject(new Error('catalog not loaded')) },
      catalog: { instanceType: (n) => TYPES.get(n) },
    });
    expect(await failing(instance('m5.large'))).toEqual({ instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'spot' });
    expect(await choose([pool('m5.large', 'us-east-1a', 1)])(instance('x9.huge'))).toEqual({
      instanceType: 'x9.huge',
      zone: 'us-east-1a',
      capacityType: 'spot',
    });
  });
});
