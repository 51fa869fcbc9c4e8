/**
 * The savings ceiling of the replay market for the web pod (500m / 1 GiB, node overhead
 * 200m / 1 GiB, the eval's default families and sizes): what a perfectly packed, never
 * interrupted spot fleet would save against a perfectly packed on-demand one.
 *
 *   node --import tsx eval/analysis/ceiling-main.ts [--from 2021-03-02] [--to 2021-04-30]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadReplayData } from '../data/replay-data.ts';
import { savingsCeiling } from './savings-ceiling.ts';

const data = resolve(import.meta.dirname, '../../../shared/data');
const { values: args } = parseArgs({
  options: {
    from: { type: 'string', default: '2021-03-02' },
    to: { type: 'string', default: '2021-04-30' },
    families: { type: 'string', default: 'm4,m5,m5a,m5d,m5n,m5ad,m5dn,c4,c5,c5d,c5n,r4,r5,r5a,r5d,r5n,r5ad,r5dn' },
    sizes: { type: 'string', default: 'large,xlarge,2xlarge,4xlarge' },
    'max-pool-share': { type: 'string', default: '0.25' },
  },
});
const fromMs = Date.parse(`${args.from}T00:00:00Z`);
const toMs = Date.parse(`${args.to}T00:00:00Z`) + 86_400_000;
const d = loadReplayData(
  {
    prices: resolve(data, 'spot_price_history.csv'),
    advisor: resolve(data, 'spot_advisor.csv'),
    catalog: resolve(data, 'instance_types.csv'),
  },
  { fromMs, toMs, families: args.families.split(','), sizes: args.sizes.split(','), sourceId: 'luciana2021' },
);
const spot = d.spotPools.flatMap((pool) => {
  const mean = d.history.meanOver(pool.instanceType, pool.zone, fromMs, toMs);
  return mean === undefined ? [] : [{ pool, meanPricePerHour: mean }];
});
const c = savingsCeiling(
  spot,
  d.onDemandPools,
  { cpuMillis: 500, memoryMib: 1024 },
  { cpuMillis: 200, memoryMib: 1024 },
  Number(args['max-pool-share']),
);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(`best spot slot: ${c.bestSpot.poolId} ${c.bestSpot.podsPerNode} pods/node, $${c.bestSpot.perPodHour.toFixed(5)} per pod-hour`);
console.log(`diversified spot (≤ ${args['max-pool-share']} per pool): $${c.diversifiedSpotPerPodHour.toFixed(5)} per pod-hour`);
console.log(
  `best on-demand slot: ${c.bestOnDemand.poolId} ${c.bestOnDemand.podsPerNode} pods/node, $${c.bestOnDemand.perPodHour.toFixed(5)} per pod-hour`,
);
console.log(
  `ceiling vs a perfectly packed on-demand fleet: ${pct(c.maxSavingsVsPackedOnDemand)} (diversified ${pct(c.maxSavingsVsPackedOnDemandDiversified)})`,
);
