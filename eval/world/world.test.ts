import { describe, expect, it } from 'vitest';
import { SpotAdvisor } from '../../sim/src/market/advisor.ts';
import { BUILT_IN_INSTANCE_TYPES, InstanceCatalog } from '../../sim/src/market/catalog.ts';
import { PriceHistory } from '../../sim/src/market/price-history.ts';
import { webService } from '../cluster/workloads.ts';
import type { PoolInfo, ReplayData } from '../data/replay-data.ts';
import { provision } from '../strategies/provisioning.ts';
import type { Strategy, StrategyWorld } from '../strategies/strategy.ts';
import { World } from './world.ts';

const T0 = Date.parse('2021-03-02T00:00:00Z');
const HOUR = 3_600_000;

function data(): ReplayData {
  const csv = [
    'timestamp_utc,instance_type,availability_zone,spot_price_usd_per_hour,source_id',
    '2021-03-01T00:00:00+00:00,m5.xlarge,us-east-1a,0.060000,t',
    '2021-03-02T01:00:00+00:00,m5.xlarge,us-east-1a,0.090000,t',
  ].join('\n');
  const spot: PoolInfo = {
    poolId: 'm5.xlarge|us-east-1a|spot',
    instanceType: 'm5.xlarge',
    family: 'm5',
    zone: 'us-east-1a',
    capacityType: 'spot',
    vcpu: 4,
    memoryMib: 16384,
    arch: 'x86_64',
    onDemandPrice: 0.192,
    advisorBucket: '<5%',
  };
  return {
    catalog: new InstanceCatalog(BUILT_IN_INSTANCE_TYPES),
    advisor: new SpotAdvisor([{ instanceType: 'm5.xlarge', bucket: '<5%', savingsPct: null }]),
    history: PriceHistory.fromCsv(csv),
    zones: ['us-east-1a'],
    spotPools: [spot],
    onDemandPools: [{ ...spot, poolId: 'm5.xlarge|us-east-1a|on-demand', capacityType: 'on-demand' }],
    scope: { fromMs: T0, toMs: T0 + 2 * HOUR, families: ['m5'], sizes: ['xlarge'], sourceId: 't' },
  };
}

/** Launches spot nodes for pending pods, nothing else. */
const simple: Strategy = {
  name: 'simple',
  tick(w: StrategyWorld) {
    provision(
      w,
      () => w.spotPools[0] ?? null,
      () => undefined,
    );
  },
};

function world(seed = 1) {
  return new World({
    data: data(),
    seed,
    workloads: [{ ...webService(), replicas: () => 14, minReplicas: 14 }],
    fromMs: T0,
    toMs: T0 + 2 * HOUR,
    overhead: { cpuMillis: 200, memoryMib: 1024 },
    bootMs: 60_000,
    joinMs: 60_000,
  });
}

describe('World', () => {
  it('bills each node minute by minute at the price in effect, and the on-demand equivalent beside it', async () => {
    const m = await world().run(simple);
    expect(m.launches).toBe(2);
    // Two nodes from minute 0: one hour at 0.06, one at 0.09 (the change at 01:00).
    expect(m.costUsd).toBeCloseTo(2 * (0.06 + 0.09), 6);
    expect(m.onDemandEquivalentUsd).toBeCloseTo(2 * 2 * 0.192, 6);
    // Pods wait two minutes for the nodes (boot + join).
    expect(m.pendingPodMinutes).toBe(14 * 2);
    expect(m.podsLost).toBe(0);
  });

  it('replays identically for the same seed', async () => {
    const a = await world(7).run(simple);
    const b = await world(7).run(simple);
    expect({ ...a, hourly: null }).toEqual({ ...b, hourly: null });
  });

  it('serves prices up to now only', async () => {
    const w = world();
    let seen: number[] = [];
    await w.run({
      name: 'peek',
      tick(sw) {
        if (sw.nowMs === T0 + 30 * 60_000) seen = sw.prices.changes(sw.spotPools[0] as PoolInfo, T0, T0 + 10 * HOUR).map((p) => p.price);
      },
    });
    expect(seen).toEqual([0.06]);
  });
});
